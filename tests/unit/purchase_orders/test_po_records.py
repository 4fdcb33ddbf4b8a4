"""One recorded action per party and PO, one order per customer and PO, even when runs race."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from csflows.models.purchase_order import PoAction, PoDecision, PoReading, Sender, SenderKind
from csflows.purchase_orders.records import claim, mark_done

SENDER = Sender(
    kind=SenderKind.CUSTOMER, email="a@b.example", customer_id="C-1", division="wyla", level=2
)
READING = PoReading(po_number="77", total=Decimal("10.00"))


def test_first_decision_stands(store_ready: Path) -> None:
    first = claim(SENDER, READING, PoDecision(action=PoAction.ACCEPT, reason="first"), ticket_id=1)
    mark_done(first.id, order_id=5)
    later = claim(
        SENDER,
        READING,
        PoDecision(action=PoAction.MINIMUMS_RESPONSE, reason="x", template="order_minimums"),
        ticket_id=2,
    )
    assert (later.id, later.decision.action, later.done, later.order_id) == (
        first.id,
        PoAction.ACCEPT,
        True,
        5,
    )


def test_unread_po_is_keyed_by_its_ticket(store_ready: Path) -> None:
    unknown = Sender(kind=SenderKind.UNKNOWN, email="x@y.example")
    decision = PoDecision(action=PoAction.UNKNOWN_SENDER, reason="r", template="po_unknown_sender")
    claimed = claim(unknown, PoReading(), decision, ticket_id=9)
    assert claimed.message_key == "po:unknown-x@y.example:ticket-9:unknown_sender"
