"""`csflows policy assumptions`: every value the seeds do not give is listed with its reason."""

from __future__ import annotations

import json
from pathlib import Path

import pydantic
import pytest
from typer.testing import CliRunner

from cli import app
from csflows.assumptions import all_assumptions, in_file
from csflows.divisions import divisions
from csflows.errors import PolicyError
from csflows.vetting.policy import InquiryFormPolicy, inquiry_form_keys, vetting_policy


def test_a_mark_on_the_line_or_above_it_names_the_key_and_its_value(tmp_path: Path) -> None:
    path = tmp_path / "sample.yaml"
    path.write_text(
        "plain: 1\n"
        "wait_days: 3   # assumption: the seed gives no wait\n"
        "nested:\n"
        "  # assumption: nobody said how many; three is what the team\n"
        "  # does today\n"
        "  retries: 3\n"
        "items:\n"
        "  - name: a\n"
        "    # assumption: a list item's key\n"
        "    size: [1, 2]\n"
    )
    found = [(a.key, a.value, a.why) for a in in_file(path)]
    assert found == [
        ("wait_days", 3, "the seed gives no wait"),
        ("nested.retries", 3, "nobody said how many; three is what the team does today"),
        ("items[0].size", [1, 2], "a list item's key"),
    ]


def test_a_mark_that_marks_no_key_is_an_error_naming_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("a: 1\n# assumption: dangling\n")
    with pytest.raises(PolicyError, match=r"broken.yaml: line 2: an assumption marks no key"):
        in_file(path)


def _listed() -> dict[tuple[str, str], object]:
    return {(a.file, a.key): a.value for a in all_assumptions()}


@pytest.mark.parametrize(
    ("file", "key", "value"),
    [
        ("vetting.yaml", "website.min_domain_age_days", 180),
        ("tiers.yaml", "window_months", 12),
        ("tiers.yaml", "grace_months", 3),
        ("tiers.yaml", "reminder_share", 0.1),
        ("tiers.yaml", "level4_below.craft_hobby", "annual_credit_card"),
        ("ticket_types.yaml", "auto_handled_precision", 0.95),
        ("purchase_orders.yaml", "supervisor_wait_days", 7),
        ("divisions.yaml", "divisions[1].level4_moved_to_level", 3),
        ("templates/order_minimums.txt.j2", "wording", "letter to customer"),
        ("templates/vetting_decline_amazon.txt.j2", "wording", "letter to applicant"),
        ("approval.yaml", "retail_channels", []),
        ("tiers.yaml", "tiers[1].rewards", []),
        ("tiers.yaml", "reminder_min_orders", 2),
        ("templates/level4_po_answer.txt.j2", "wording", "letter to customer"),
        ("templates/retention_customer_reply.txt.j2", "wording", "letter to sales agent"),
    ],
)
def test_the_values_the_seeds_do_not_give_are_listed(file: str, key: str, value: object) -> None:
    assert _listed()[(file, key)] == value


def test_the_calendar_the_catalogs_and_the_inquiry_forms_fields_are_marked() -> None:
    """Issue 23: business hours, the weekend, each division's product catalog and the inquiry
    form's fields are the project's choices, so `csflows policy assumptions` lists them."""
    listed = _listed()
    assert listed[("calendar.yaml", "weekend")] == ["saturday", "sunday"]
    assert listed[("calendar.yaml", "business_hours")] == {"start": "09:00", "end": "17:00"}
    catalogs = [key for file, key in listed if key.endswith(".product_lines")]
    assert len(catalogs) == len(divisions().keys())
    fields = listed[("vetting.yaml", "inquiry_form.fields")]
    assert fields == vetting_policy().inquiry_form.fields == inquiry_form_keys()
    assert ("templates/first_po_minimums.txt.j2", "wording") in listed


def test_an_inquiry_form_field_list_that_is_not_the_forms_is_refused() -> None:
    with pytest.raises(pydantic.ValidationError, match="the standard form's fields are"):
        InquiryFormPolicy(fields=["business_name", "fax"])


def test_the_seeds_own_letters_are_not_assumptions() -> None:
    listed = _listed()
    assert ("templates/level4_craft_hobby.txt.j2", "wording") not in listed
    assert ("templates/level4_floating_luxuries.txt.j2", "wording") not in listed


def test_every_assumption_says_why() -> None:
    assert all(a.why.strip() for a in all_assumptions())


def test_policy_assumptions_json_from_the_command_line() -> None:
    result = CliRunner().invoke(app, ["policy", "assumptions", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert {"file", "key", "value", "why"} == set(rows[0])
    assert len(rows) == len(all_assumptions())
