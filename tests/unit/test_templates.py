"""The seeds' standard wording renders with the customer's name and the division's figures."""

from __future__ import annotations

from pathlib import Path

import pytest

from csflows.divisions import divisions
from csflows.errors import TemplateError
from csflows.templates import render, usd


def test_craft_and_hobby_letter_is_seed_000_wording() -> None:
    division = divisions().get("craft_hobby")
    msg = render(
        "level4_craft_hobby",
        customer_name="Lakeview Scrap Shop",
        division=division,
        minimums=division.minimums,
        po_number="PO-77",
    )
    assert msg.subject == "Order requirements for your purchase order PO-77"
    assert msg.body.startswith("Dear Lakeview Scrap Shop:\n")
    assert "Effective 6/15/23 new order minimums went into effect." in msg.body
    assert "- Minimum Order Quantities: Inner pack" in msg.body
    assert "- Minimum Order: $350" in msg.body
    assert "- Annual Minimum: $2,000 (credit cards) or $10,000 (payment terms)" in msg.body


def test_floating_luxuries_redirect() -> None:
    division = divisions().get("floating_luxuries")
    msg = render(
        "level4_floating_luxuries", customer_name="Sunny Pools", division=division, po_number=None
    )
    assert msg.body.startswith("Dear Sunny Pools,")
    assert "https://floatingluxuries.com/" in msg.body
    assert "customerservice@floatingluxuries.com" in msg.body
    assert "the Floating Luxuries website." in msg.body


def test_new_account_reply_names_the_form() -> None:
    msg = render(
        "new_account_reply",
        customer_name="Ana",
        division=None,
        form_name="New Customer Inquiry Form.pdf",
        rep_name="Casey Wong",
    )
    assert "New Customer Inquiry Form.pdf" in msg.body and msg.body.startswith("Dear Ana,")
    assert msg.body.endswith("Thank you,\nCasey Wong\nCustomer Service")  # the rep's, seed 001


def test_a_name_ending_in_a_full_stop_ends_the_sentence_with_one(tmp_path: Path) -> None:
    (tmp_path / "t.txt.j2").write_text(
        "Subject: For {{ who }}.\n\nFor {{ who }}. Then {{ who }} and {{ pause }}. {{ n }}.\n"
    )
    msg = render("t", folder=tmp_path, who="Harbor Paper Co.", pause="wait...", n=3)
    assert msg.subject == "For Harbor Paper Co."
    assert msg.body == "For Harbor Paper Co. Then Harbor Paper Co. and wait... 3."


def test_missing_value_is_an_error_not_a_blank() -> None:
    with pytest.raises(TemplateError, match="customer_name"):
        render("new_account_reply", division=None, form_name="x.pdf", rep_name="R")


def test_unknown_template() -> None:
    with pytest.raises(TemplateError, match="not found"):
        render("no_such_letter", customer_name="x")


@pytest.mark.parametrize(
    ("amount", "text"), [(350, "$350"), (2000, "$2,000"), (99.5, "$99.50"), (None, "(not set)")]
)
def test_usd(amount: float | None, text: str) -> None:
    assert usd(amount) == text
