"""Who sent a PO: customer by email, domain, account number; an applicant; else unknown."""

from __future__ import annotations

from pathlib import Path

import pytest

from csflows import customers, store
from csflows.models import Customer
from csflows.models.purchase_order import PoEmail, SenderKind
from csflows.purchase_orders.senders import identify_sender
from csflows.store.tables import CustomerRow, InquiryRow

PUBLIC = ["gmail.com"]


@pytest.fixture
def directory(store_ready: Path) -> None:
    customers.save(
        [
            Customer(
                id="C-1",
                name="Paper Garden",
                email="orders@papergarden.example",
                division="craft_hobby",
                level=2,
            ),
            Customer(
                id="C-2", name="Gmail Crafts", email="gcrafts@gmail.com", division="sulyn", level=1
            ),
            Customer(id="C-3", name="Twin A", email="buy@twins.example", division="wyla", level=1),
            Customer(id="C-4", name="Twin B", email="sell@twins.example", division="wyla", level=3),
        ]
    )
    with store.session() as s:
        s.add(
            InquiryRow(
                dedupe_key="k1",
                raw="{}",
                business_name="New Shop",
                email="owner@newshop.example",
                division="craft_hobby",
                status="awaiting_first_po",
            )
        )
        s.add(
            InquiryRow(
                dedupe_key="k2",
                raw="{}",
                business_name="Pending Shop",
                email="owner@pending.example",
                status="awaiting_approval",
            )
        )


def _who(sender: str, text: str = "") -> tuple[SenderKind, str, str | None]:
    found = identify_sender(PoEmail(sender=sender), text, PUBLIC)
    return found.kind, found.matched_by, found.customer_id


def test_customer_by_email_ignoring_case(directory: None) -> None:
    assert _who("Orders@PaperGarden.example") == (SenderKind.CUSTOMER, "email", "C-1")


def test_customer_by_domain(directory: None) -> None:
    assert _who("jane@papergarden.example") == (SenderKind.CUSTOMER, "domain", "C-1")


def test_free_mail_domain_is_not_a_match(directory: None) -> None:
    assert _who("someone@gmail.com")[0] is SenderKind.UNKNOWN


def test_shared_domain_is_ambiguous_then_account_number_decides(directory: None) -> None:
    assert _who("new@twins.example")[0] is SenderKind.UNKNOWN
    assert _who("new@twins.example", "Account #: C-4") == (
        SenderKind.CUSTOMER,
        "account_number",
        "C-4",
    )


def test_customer_by_account_number(directory: None) -> None:
    assert _who("ap@elsewhere.example", "Customer No: C-1") == (
        SenderKind.CUSTOMER,
        "account_number",
        "C-1",
    )


def test_applicant_awaiting_first_po(directory: None) -> None:
    found = identify_sender(PoEmail(sender="owner@newshop.example"), "", PUBLIC)
    assert (found.kind, found.inquiry_id, found.division) == (
        SenderKind.APPLICANT,
        1,
        "craft_hobby",
    )


def test_applicant_not_yet_approved_is_unknown(directory: None) -> None:
    assert _who("owner@pending.example")[0] is SenderKind.UNKNOWN


def test_a_customers_po_comes_with_their_service_tier_and_a_strangers_with_none(
    directory: None,
) -> None:
    with store.session() as s:
        row = s.get(CustomerRow, "C-1")
        assert row is not None
        row.tier = "extra_special"
    vip = identify_sender(PoEmail(sender="orders@papergarden.example"), "", PUBLIC)
    assert vip.tier == "Extra special service (More individual attention from Customer Service)"
    never_evaluated = identify_sender(PoEmail(sender="gcrafts@gmail.com"), "", PUBLIC)
    assert never_evaluated.tier == "Standard service"  # no orders: base service
    stranger = identify_sender(PoEmail(sender="who@nowhere.example"), "", PUBLIC)
    assert stranger.kind is SenderKind.UNKNOWN and stranger.tier == ""
    applicant = identify_sender(PoEmail(sender="owner@newshop.example"), "", PUBLIC)
    assert applicant.kind is SenderKind.APPLICANT and applicant.tier == ""
