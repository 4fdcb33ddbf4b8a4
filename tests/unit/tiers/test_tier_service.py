"""Seed 003 where CS works: a customer's tier is the one the evaluation stored, else the one their
purchases reach; a sender who is not exactly one known customer has none; a tier that names a
person has its customers' shared-queue tickets go to them, and nothing else changes."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from csflows import store
from csflows.errors import PolicyError
from csflows.paths import config_dir
from csflows.store.tables import CustomerRow, OrderRow
from csflows.tiers import tier_policy
from csflows.tiers.service import customer_tiers, sender_tier, sender_tiers, tier_label
from csflows.triage.assignment import tier_assignee
from csflows.triage.policy import ticket_types

TODAY = date(2026, 12, 1)


def _customer(cid: str, email: str, tier: str | None, bought: Decimal | None = None) -> None:
    with store.session() as s:
        s.add(CustomerRow(id=cid, name=cid, email=email, division="sulyn", level=2, tier=tier))
        if bought is not None:
            s.add(
                OrderRow(
                    customer_id=cid,
                    po_number=f"{cid}-1",
                    order_date=TODAY - timedelta(days=30),
                    amount=bought,
                )
            )


def test_the_stored_tier_counts_and_a_tier_since_removed_is_base_service(
    store_ready: Path,
) -> None:
    _customer("C-1", "a@shop.example", "extra_special")
    _customer("C-2", "b@shop.example", "gold")  # no longer in tiers.yaml
    tiers = customer_tiers(["C-1", "C-2", "C-404"], today=TODAY)
    assert {cid: t.key for cid, t in tiers.items()} == {
        "C-1": "extra_special",
        "C-2": "standard",
    }


def test_a_customer_never_evaluated_has_the_tier_their_purchases_reach(store_ready: Path) -> None:
    _customer("C-1", "a@shop.example", None, Decimal("100000.01"))
    _customer("C-2", "b@shop.example", None, Decimal("100000.00"))  # not OVER $100K
    _customer("C-3", "c@shop.example", None)
    tiers = customer_tiers(["C-1", "C-2", "C-3"], today=TODAY)
    assert {cid: t.key for cid, t in tiers.items()} == {
        "C-1": "extra_special",
        "C-2": "standard",
        "C-3": "standard",
    }


def test_a_sender_is_found_by_address_whatever_the_case_and_display_name(
    store_ready: Path,
) -> None:
    _customer("C-1", "Linda@BrightCrafts.example", "extra_special")
    tier = sender_tier("Linda Park <linda@brightcrafts.example>")
    assert tier is not None and tier.key == "extra_special"


def test_nobody_known_or_customers_of_several_tiers_at_one_address_show_no_tier(
    store_ready: Path,
) -> None:
    _customer("C-1", "buyer@shared.example", "extra_special")
    _customer("C-2", "buyer@shared.example", "standard")
    _customer("C-3", "two@same.example", "standard")
    _customer("C-4", "two@same.example", "standard")
    found = sender_tiers(["buyer@shared.example", "stranger@nowhere.example", "two@same.example"])
    assert {a: t.key for a, t in found.items()} == {"two@same.example": "standard"}


def test_cs_reads_a_tier_by_its_name_and_what_it_adds() -> None:
    base, top = tier_policy().tiers
    assert tier_label(base) == "Standard service"
    assert tier_label(top) == (
        "Extra special service (More individual attention from Customer Service)"
    )
    assert tier_label(None) == ""


def test_extra_special_tickets_for_the_shared_queue_go_to_the_configured_person() -> None:
    policy = ticket_types()
    base, top = tier_policy().tiers
    assert top.tickets_to == "casey-wong" and top.first and not base.first
    assert tier_assignee("Customer Service", top, policy) == "Casey Wong"


def test_base_service_and_a_types_own_person_stay_as_the_type_says() -> None:
    policy = ticket_types()
    base, top = tier_policy().tiers
    assert tier_assignee("Customer Service", base, policy) == "Customer Service"
    assert tier_assignee("Customer Service", None, policy) == "Customer Service"
    assert tier_assignee("Mary Callie", top, policy) == "Mary Callie"  # seed 004: quotes


def _write(tmp_path: Path, change: dict) -> Path:
    document = yaml.safe_load((config_dir() / "tiers.yaml").read_text())
    for index, fields in change.items():
        document["tiers"][index] |= fields
    path = tmp_path / "tiers.yaml"
    path.write_text(yaml.safe_dump(document))
    return path


def test_tickets_go_only_to_a_person_of_people_yaml_and_never_from_base_service(
    tmp_path: Path,
) -> None:
    with pytest.raises(PolicyError, match="tickets_to 'nobody-here' is nobody of people.yaml"):
        tier_policy(_write(tmp_path, {1: {"tickets_to": "nobody-here"}}))
    with pytest.raises(PolicyError, match="base service for everyone"):
        tier_policy(_write(tmp_path, {0: {"tickets_to": "casey-wong"}}))
