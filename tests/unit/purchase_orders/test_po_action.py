"""Seed 000's responses by level and division, as plain functions."""

from __future__ import annotations

from decimal import Decimal

import pytest

from csflows.divisions import divisions
from csflows.models.purchase_order import PoAction, PoReading, Sender, SenderKind
from csflows.purchase_orders.action import account_numbers, decide, mail_domain

READING = PoReading(po_number="4512", total=Decimal("200.00"), source="body")


def _customer(division: str, level: int) -> Sender:
    return Sender(
        kind=SenderKind.CUSTOMER,
        email="buyer@shop.example",
        name="Shop",
        customer_id="C-1",
        division=division,
        level=level,
    )


def _decide(division: str, level: int, total: str = "200.00") -> tuple[PoAction, str]:
    reading = READING.model_copy(update={"total": Decimal(total)})
    decision = decide(_customer(division, level), reading, divisions().get(division))
    return decision.action, decision.reason


@pytest.mark.parametrize(
    ("division", "action", "template"),
    [
        ("craft_hobby", PoAction.MINIMUMS_LETTER, "level4_po_answer"),  # + the letter, once
        ("floating_luxuries", PoAction.REDIRECT_TO_WEBSITE, "level4_floating_luxuries"),
    ],
)
def test_level4_letters(division: str, action: PoAction, template: str) -> None:
    decision = decide(_customer(division, 4), READING, divisions().get(division))
    assert (decision.action, decision.template) == (action, template)


@pytest.mark.parametrize("division", ["adv_ii_isd", "sulyn", "wyla", "art101"])
def test_level4_where_the_division_has_none_is_a_crm_error_for_a_supervisor(division: str) -> None:
    decision = decide(_customer(division, 4), READING, divisions().get(division))
    assert decision.action is PoAction.SUPERVISOR_REVIEW
    assert decision.template == "po_supervisor_review"  # to the supervisor, not the customer
    assert "level is likely wrong" in decision.reason and not decision.enter_order


@pytest.mark.parametrize(("division", "level"), [("cop", 4), ("cop", 3), ("mercury_seward", 4)])
def test_customers_the_seed_subjects_to_minimums_nobody_configured_go_to_a_supervisor(
    division: str, level: int
) -> None:
    """Seed 000: COP's former Level 4 (now Level 3) and Mercury & Seward's Level 4 'will be
    subjected to the required order minimums'; with no figures configured, never accepted."""
    decision = decide(_customer(division, level), READING, divisions().get(division))
    assert decision.action is PoAction.SUPERVISOR_REVIEW and not decision.enter_order
    assert "minimum order is not configured" in decision.reason


@pytest.mark.parametrize(("division", "level"), [("cop", 2), ("mercury_seward", 3), ("wyla", 1)])
def test_other_customers_without_a_configured_minimum_are_accepted_and_flagged(
    division: str, level: int
) -> None:
    decision = decide(_customer(division, level), READING, divisions().get(division))
    assert decision.action is PoAction.ACCEPT and decision.enter_order
    assert decision.flags == [
        f"no minimum order is configured for {divisions().get(division).name}: not checked"
    ]


@pytest.mark.parametrize(
    ("total", "entered", "says"),
    [
        ("350.00", True, "total $350.00 meets the minimum order $350.00: the order is entered"),
        ("349.99", False, "$349.99 is below the minimum order $350.00: the order waits for"),
    ],
)
def test_craft_hobby_level4_gets_the_letter_and_the_order_is_not_lost(
    total: str, entered: bool, says: str
) -> None:
    reading = READING.model_copy(update={"total": Decimal(total)})
    decision = decide(_customer("craft_hobby", 4), reading, divisions().get("craft_hobby"))
    assert decision.action is PoAction.MINIMUMS_LETTER
    assert decision.template == "level4_po_answer"  # the PO's answer; the letter goes once
    assert decision.values["answer"] == ("entered" if entered else "held")
    assert decision.enter_order is entered and says in decision.reason


def test_level4_cop_with_a_minimum_set_gets_the_minimums_response() -> None:
    """COP is treated as Level 3: once the division sets a minimum, it applies to Level 4 too."""
    catalog = divisions()
    cop = catalog.get("cop").model_copy(update={"minimums": catalog.get("craft_hobby").minimums})
    decision = decide(_customer("cop", 4), READING, cop)
    assert decision.action is PoAction.MINIMUMS_RESPONSE
    assert decision.values == {"minimum": Decimal("350"), "shortfall": Decimal("150.00")}


@pytest.mark.parametrize("level", [1, 2, 3])
def test_below_the_minimum_order(level: int) -> None:
    action, reason = _decide("craft_hobby", level, "349.99")
    assert action is PoAction.MINIMUMS_RESPONSE
    assert "total $349.99 is below the minimum order $350.00" in reason


@pytest.mark.parametrize("total", ["350.00", "1200.00"])
def test_at_or_above_the_minimum_is_accepted(total: str) -> None:
    assert _decide("craft_hobby", 2, total)[0] is PoAction.ACCEPT


def test_no_minimum_figure_accepts_and_says_so() -> None:
    action, reason = _decide("wyla", 1, "5.00")
    assert action is PoAction.ACCEPT and "accepted without a minimums check" in reason


def test_applicant_first_po_resumes_vetting() -> None:
    applicant = Sender(kind=SenderKind.APPLICANT, email="a@new.example", inquiry_id=7)
    assert decide(applicant, READING, None).action is PoAction.RESUME_VETTING


def test_an_applicants_first_po_below_the_division_minimum_is_answered_and_creates_nothing() -> (
    None
):
    """Seed 001: "Can the customer order in the division-specified minimums?" A $100 first PO
    to Craft & Hobby ($350 minimum) does not resume the vetting: the applicant is told."""
    applicant = Sender(
        kind=SenderKind.APPLICANT, email="a@new.example", inquiry_id=7, division="craft_hobby"
    )
    below = READING.model_copy(update={"total": Decimal("100.00")})
    decision = decide(applicant, below, divisions().get("craft_hobby"))
    assert decision.action is PoAction.MINIMUMS_RESPONSE
    assert decision.template == "first_po_minimums" and not decision.enter_order
    assert decision.values == {"minimum": Decimal(350), "shortfall": Decimal(250)}
    at = READING.model_copy(update={"total": Decimal("350.00")})
    assert decide(applicant, at, divisions().get("craft_hobby")).action is PoAction.RESUME_VETTING


def test_unknown_sender_goes_to_cs_even_unread() -> None:
    unknown = Sender(kind=SenderKind.UNKNOWN, email="who@else.example")
    unread = PoReading(problems=["no total found"])
    decision = decide(unknown, unread, None)
    assert (decision.action, decision.template) == (PoAction.UNKNOWN_SENDER, "po_unknown_sender")


def test_unreadable_po_needs_an_operator() -> None:
    unread = PoReading(po_number="1", problems=["po.pdf: the PDF is encrypted"])
    decision = decide(_customer("craft_hobby", 4), unread, divisions().get("craft_hobby"))
    assert decision.action is PoAction.NEEDS_OPERATOR and "encrypted" in decision.reason


def test_sender_helpers() -> None:
    assert mail_domain("Buyer@Shop.Example") == "shop.example"
    assert account_numbers("Account #: C-1003\nCustomer No. 4411\naccount manager") == [
        "C-1003",
        "4411",
    ]
