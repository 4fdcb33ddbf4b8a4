"""config/ticket_types.yaml: the 28 types of seed 004 by their exact names, plus seed 001's two."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from csflows.errors import PolicyError
from csflows.paths import config_dir
from csflows.triage.policy import AutoResolve, Direction, Route, ticket_types

# Copied from seed 004 (the trailing period of "QUOTE - Quote Follow up." dropped on purpose).
SEED_004_TYPES = [
    "Question",
    "Task",
    "Need Information from Customer",
    "QUOTE - Request for Quote",
    "QUOTE - Quote Letter Document",
    "QUOTE - Quote Follow up",
    "QUOTE - Quote Won!",
    "Quote - No bid",
    "Product Sample - Product Sample Request",
    "Product Sample - Sales Order Confirmation Document",
    "Sales Order - Sales Order Received!",
    "Sales Order - Sales Order Document",
    "Sales Order - Sales Order Status Update",
    "Sales Order - Customer Request",
    "Job - Job Ticket",
    "Product - Art File Request to Customer",
    "Product - Proof Request To Prepress",
    "Product - Proof Approval Request to the Customer",
    "Shipment - Shipment Packing List",
    "Shipment - Customer Needs Information",
    "Sales Invoice - Sales Invoice Document",
    "Sales Invoice - Customer Question",
    "Purchase - Quote Request",
    "Purchase - Quote Document",
    "Purchase - Purchase Order Document",
    "Purchase - Purchase Order Status Update",
    "Customer complaint",
    "Supplier complaint",
]
SEED_001_TYPES = ["New Customer - Account Request", "New Customer - Inquiry Form Returned"]


def test_the_seed_types_by_their_exact_names() -> None:
    assert len(SEED_004_TYPES) == 28
    assert ticket_types().names() == SEED_004_TYPES + SEED_001_TYPES


def test_the_seed_assignments_and_auto_resolve() -> None:
    policy = ticket_types()
    assert policy.assignee("QUOTE - Request for Quote") == "Mary Callie"
    assert policy.assignee("Question") == policy.default_assignee
    resolved = {t.name for t in policy.types if t.auto_resolve is AutoResolve.ALWAYS}
    assert resolved == {
        "QUOTE - Quote Letter Document",
        "QUOTE - Quote Follow up",
        "Sales Order - Sales Order Document",
    }
    need_info = policy.get("Need Information from Customer")
    assert need_info.resolves(Direction.SENT_BY_US) and not need_info.resolves(Direction.CUSTOMER)
    assert policy.get("New Customer - Account Request").route is Route.ACCOUNT_REQUEST
    assert policy.get("Customer complaint").route is Route.COMPLAINT


def _write(tmp_path: Path, mutate: object) -> Path:
    document = yaml.safe_load((config_dir() / "ticket_types.yaml").read_text())
    mutate(document)  # type: ignore[operator]
    path = tmp_path / "ticket_types.yaml"
    path.write_text(yaml.safe_dump(document))
    return path


def test_a_bad_direction_names_file_key_and_value(tmp_path: Path) -> None:
    path = _write(tmp_path, lambda d: d["types"][3].update(directions=["customers"]))
    with pytest.raises(PolicyError, match=r"types\[3\]\.directions\[0\]: .*\(got 'customers'\)"):
        ticket_types(path)


def test_a_duplicate_type_and_a_bad_domain_are_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, lambda d: d["types"].append(dict(d["types"][0])))
    with pytest.raises(PolicyError, match="'Question' is listed twice"):
        ticket_types(path)
    path = _write(tmp_path, lambda d: d.update(own_domains=["not a domain"]))
    with pytest.raises(PolicyError, match="own_domains"):
        ticket_types(path)


def test_the_removed_keywords_and_training_set_are_named(tmp_path: Path) -> None:
    def old(document: dict) -> None:  # type: ignore[type-arg]
        document["training_set"] = "training/original.jsonl"
        document["types"][3]["keywords"] = ["rfq"]

    path = _write(tmp_path, old)
    with pytest.raises(PolicyError) as err:
        ticket_types(path)
    lines = str(err.value).splitlines()
    assert lines[0].startswith(f"{path}: training_set: removed: delete it;")
    assert lines[1].startswith(f"{path}: types[3].keywords: removed: delete it; keywords no longer")
    assert lines[1].endswith("(got ['rfq'])")


def test_threshold_out_of_range_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, lambda d: d.update(confidence_threshold=1.5))
    with pytest.raises(PolicyError, match=r"confidence_threshold: .*\(got 1\.5\)"):
        ticket_types(path)


def test_the_auto_handled_precision_target_is_read_from_the_policy(tmp_path: Path) -> None:
    assert ticket_types().auto_handled_precision == 0.95
    path = _write(tmp_path, lambda d: d.update(auto_handled_precision=0))
    with pytest.raises(PolicyError, match=r"auto_handled_precision: .*\(got 0\)"):
        ticket_types(path)


def test_the_teams_own_people_mail_as_ours() -> None:
    """Mail between the people of people.yaml reads as internal, never as a customer's: every
    domain they mail from is one of own_domains."""
    from csflows.people import people
    from csflows.triage.mail.inbound import InboundMail, direction_of

    team, world = people(), ticket_types()
    for address in [str(team.cs_queue), *(str(p.email) for p in team.people)]:
        mail = InboundMail(address, [str(team.cs_queue)], "a note")
        assert direction_of(mail, world) is Direction.INTERNAL, address
