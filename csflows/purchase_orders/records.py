"""The rows a PO leaves: the inbound ticket (raw, before parsing), the action, the order.

One action per party and PO number: a re-run finds the first decision and keeps it, so nothing
is sent, entered or resumed twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from csflows import store
from csflows.models.purchase_order import PoAction, PoDecision, PoReading, Sender
from csflows.store.tables import OrderRow, PoActionRow, TicketRow

PO_TICKET_TYPE = "Purchase - Purchase Order Document"  # seed 004's ticket type


def store_inbound(message_id: str, raw: bytes, sender: str, subject: str, inbox: str) -> int:
    """Keep the raw message as a ticket (unique on Message-ID) before anything parses it."""
    with store.session() as s:
        ticket = s.scalar(select(TicketRow).where(TicketRow.message_id == message_id))
        if ticket is None:
            ticket = TicketRow(
                message_id=message_id,
                inbox=inbox,
                raw=raw,
                sender=sender[:320],
                subject=subject,
                type=PO_TICKET_TYPE,
                routed_to="handle-purchase-order",
            )
            s.add(ticket)
            s.flush()
        return ticket.id


def ticket_raw(ticket_id: int) -> bytes:
    """A stored ticket's raw message; LookupError when there is none."""
    with store.session() as s:
        ticket = s.get(TicketRow, ticket_id)
        if ticket is None:
            raise LookupError(f"ticket_id: no ticket {ticket_id}")
        return bytes(ticket.raw)


def po_key(reading: PoReading, ticket_id: int | None) -> str:
    return reading.po_number or f"ticket-{ticket_id}"


@dataclass
class ClaimedAction:
    """The action recorded for a PO: this run's decision, or the first run's when it re-runs."""

    id: int
    decision: PoDecision
    done: bool
    message_key: str | None
    order_id: int | None


def message_key(sender: Sender, key: str, action: PoAction) -> str:
    """The outbox key: one response per party, PO number and action, whatever re-runs."""
    return f"po:{sender.party}:{key}:{action.value}"


def claim(
    sender: Sender,
    reading: PoReading,
    decision: PoDecision,
    ticket_id: int | None,
    flow_run_id: str | None = None,
) -> ClaimedAction:
    """Record the decision for this party and PO, or return the one already recorded."""
    key = po_key(reading, ticket_id)
    with store.session() as s:
        row = s.scalar(
            select(PoActionRow).where(PoActionRow.party == sender.party, PoActionRow.po_key == key)
        )
        if row is None:
            row = PoActionRow(
                party=sender.party,
                po_key=key,
                po_number=reading.po_number,
                total=reading.total,
                customer_id=sender.customer_id,
                inquiry_id=sender.inquiry_id,
                ticket_id=ticket_id,
                division=sender.division,
                level=sender.level,
                action=decision.action.value,
                reason=decision.reason,
                template=decision.template,
                template_values=decision.model_dump(mode="json")["values"],
                message_key=message_key(sender, key, decision.action)
                if decision.template
                else None,
                status="pending",
                flow_run_id=flow_run_id,
            )
            s.add(row)
            s.flush()
        recorded = PoDecision(
            action=PoAction(row.action),
            reason=row.reason,
            template=row.template,
            values=row.template_values or {},
        )
        return ClaimedAction(row.id, recorded, row.status == "done", row.message_key, row.order_id)


def record_order(customer_id: str, po_number: str, total: Decimal, on: date) -> int:
    """Enter an accepted order (orders feed tiers); the same PO again returns the same order."""
    with store.session() as s:
        row = s.scalar(
            select(OrderRow).where(
                OrderRow.customer_id == customer_id, OrderRow.po_number == po_number
            )
        )
        if row is None:
            row = OrderRow(
                customer_id=customer_id,
                po_number=po_number,
                order_date=on,
                amount=total,
                source="po",
                status="accepted",
            )
            s.add(row)
            s.flush()
        return row.id


def mark_done(action_id: int, order_id: int | None = None) -> None:
    with store.session() as s:
        row = s.get(PoActionRow, action_id)
        if row is not None:
            row.status = "done"
            row.order_id = order_id if order_id is not None else row.order_id
