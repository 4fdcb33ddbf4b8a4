"""The purchase-order gates as a person reads them: what to decide first, the total in dollars,
the supervisor's choices in words, and nobody pre-filled as the one who decides."""

from __future__ import annotations

from decimal import Decimal

from prefect._internal.pydantic.v2_schema import create_v2_schema

from csflows.markdown import escape, escape_strict
from csflows.models.purchase_order import (
    PoAction,
    PoAttachment,
    PoDecision,
    PoEmail,
    PoOutcome,
    PoReading,
    Sender,
    SenderKind,
)
from csflows.purchase_orders.report import po_markdown
from csflows.run_inputs import with_context
from flows.purchase_orders import PoChoice, operator_context, supervisor_context, supervisor_form

SENDER = Sender(
    kind=SenderKind.CUSTOMER,
    email="po@deskdepot.example",
    name="Desk Depot",
    customer_id="C-7",
    division="cop",
    level=3,
)
EMAIL = PoEmail(
    sender="po@deskdepot.example",
    subject="PO 12",
    attachments=[PoAttachment(filename="po.pdf", content=b"%PDF")],
)
READING = PoReading(po_number="12", total=Decimal("1234.5"), source="body")
REVIEW = PoDecision(action=PoAction.SUPERVISOR_REVIEW, reason="the minimum is not configured")


def test_the_supervisor_gate_says_what_to_decide_and_why_first() -> None:
    lines = supervisor_context(REVIEW, READING, EMAIL, SENDER).splitlines()
    assert lines[0] == (
        "**Decide: enter the order, or handle it yourself.** Why it needs you: the minimum is "
        "not configured."
    )
    assert lines[2] == "**Desk Depot** (C-7, Level 3) sent PO **12** for **$1,234.50**."
    assert "- Attachments: po.pdf" in lines


def test_the_supervisor_picks_words_and_the_reviewer_starts_empty() -> None:
    form = with_context(supervisor_form(), "", decision=PoChoice.HANDLED_OUTSIDE)
    schema = create_v2_schema(form.__name__, model_base=form)
    assert schema["definitions"]["PoChoice"]["enum"] == ["enter the order", "I handle it myself"]
    assert schema["properties"]["decision"]["default"] == "I handle it myself"
    assert "reviewer" in schema["required"] and "default" not in schema["properties"]["reviewer"]
    answer = form.model_validate({"decision": "enter_order", "reviewer": "Pat Morgan"})
    assert answer.decision is PoChoice.ENTER_ORDER and answer.decision.code == "enter_order"


def test_the_operator_gate_says_what_to_enter_first() -> None:
    unread = READING.model_copy(update={"total": None, "problems": ["no total found"]})
    lines = operator_context(unread, EMAIL, SENDER).splitlines()
    assert lines[0].startswith("**Enter the PO's number and total** as the message shows them")
    assert "could not be read: no total found." in lines[0]
    assert "- Attachments: po.pdf" in lines


TOP = "Extra special service (More individual attention from Customer Service)"


def test_the_gates_show_a_customers_service_tier() -> None:
    """Seed 003: the people working a PO see the customer's tier; a stranger shows none."""
    vip = SENDER.model_copy(update={"tier": TOP})
    lines = supervisor_context(REVIEW, READING, EMAIL, vip).splitlines()
    assert (
        lines[2]
        == f"**Desk Depot** (C-7, Level 3, {escape(TOP)}) sent PO **12** for **$1,234.50**."
    )
    unread = READING.model_copy(update={"total": None, "problems": ["no total found"]})
    first = operator_context(unread, EMAIL, vip).splitlines()[0]
    assert f"from **Desk Depot** ({escape(TOP)}) could not be read" in first
    stranger = Sender(kind=SenderKind.UNKNOWN, email="who@nowhere.example")
    assert "Level" not in operator_context(unread, EMAIL, stranger).splitlines()[0]
    assert "service" not in operator_context(unread, EMAIL, stranger).lower()


def test_the_po_report_shows_the_tier_of_a_known_customer_only() -> None:
    outcome = PoOutcome(
        customer_id="C-7", division="cop", level=3, po_number="12", total=None,
        action=PoAction.ACCEPT, reason="meets the minimum",
    )  # fmt: skip
    vip = SENDER.model_copy(update={"tier": TOP})
    assert f"- **Service tier:** {escape_strict(TOP)}" in po_markdown(
        outcome, vip, READING, "PO 12"
    )
    assert "Service tier" not in po_markdown(outcome, SENDER, READING, "PO 12")
