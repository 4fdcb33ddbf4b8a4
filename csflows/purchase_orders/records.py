"""The rows a PO leaves: the inbound ticket (raw, before parsing), the action, the order.

One action per party and PO number: a re-run finds the first decision and keeps it, so nothing
is sent, entered or resumed twice. Two runs racing on the same PO meet at a unique constraint;
the loser reads the winner's row.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError

from csflows import limits, store
from csflows.errors import TicketNotFound
from csflows.models.order import OrderStatus
from csflows.models.purchase_order import (
    PoAction,
    PoActionStatus,
    PoDecision,
    PoReading,
    Sender,
)
from csflows.store.tables import OrderRow, PoActionRow, TicketRow

PO_TICKET_TYPE = "Sales Order - Sales Order Received!"  # a customer PO (config/ticket_types.yaml)
R = TypeVar("R")


def _get_or_insert(query: Select[Any], make: Callable[[], R]) -> R:
    """The row `query` finds, else a new one from `make`; a concurrent insert wins, not fails."""
    for attempt in range(2):
        try:
            with store.session() as s:
                row = s.scalar(query)
                if row is None:
                    row = make()
                    s.add(row)
                    s.flush()
                return row
        except IntegrityError:
            if attempt:
                raise
    raise AssertionError("unreachable")


def store_inbound(message_id: str, raw: bytes, sender: str, subject: str, inbox: str) -> int:
    """Keep the raw message as a ticket (unique on Message-ID) before anything parses it."""
    ticket = _get_or_insert(
        select(TicketRow).where(TicketRow.message_id == message_id),
        lambda: TicketRow(
            message_id=message_id,
            inbox=inbox,
            raw=raw,
            sender=limits.one_line(sender, limits.EMAIL_CHARS),
            subject=limits.one_line(subject, limits.MAIL_SUBJECT_CHARS),
            type=PO_TICKET_TYPE,
            routed_to="handle-purchase-order",
        ),
    )
    return ticket.id


def ticket_raw(ticket_id: int) -> bytes:
    """A stored ticket's raw message; TicketNotFound when there is none."""
    with store.session() as s:
        ticket = s.get(TicketRow, ticket_id)
        if ticket is None:
            raise TicketNotFound(f"ticket_id: no ticket {ticket_id} in the store")
        return bytes(ticket.raw)


def po_key(reading: PoReading, ticket_id: int | None) -> str:
    return reading.po_number or f"ticket-{ticket_id}"


def message_key(sender: Sender, key: str, action: PoAction) -> str:
    """The outbox key: one response per party, PO number and action, whatever re-runs."""
    return f"po:{sender.party}:{key}:{action.value}"


@dataclass
class ClaimedAction:
    """The action recorded for a PO: this run's decision, or the first run's when it re-runs."""

    id: int
    decision: PoDecision
    done: bool
    message_key: str | None
    order_id: int | None


def claim(
    sender: Sender,
    reading: PoReading,
    decision: PoDecision,
    ticket_id: int | None,
    flow_run_id: str | None = None,
) -> ClaimedAction:
    """Record the decision for this party and PO, or return the one already recorded."""
    key = po_key(reading, ticket_id)
    fields: dict[str, Any] = {
        "party": sender.party,
        "po_key": key,
        "po_number": reading.po_number,
        "total": reading.total,
        "customer_id": sender.customer_id,
        "inquiry_id": sender.inquiry_id,
        "ticket_id": ticket_id,
        "division": sender.division,
        "level": sender.level,
        "action": decision.action.value,
        "reason": decision.reason,
        "template": decision.template,
        "template_values": decision.model_dump(mode="json")["values"],
        "message_key": message_key(sender, key, decision.action) if decision.template else None,
        "enter_order": decision.enter_order,
        "flags": decision.flags,
        "status": PoActionStatus.PENDING,
        "flow_run_id": flow_run_id,
    }
    row = _get_or_insert(
        select(PoActionRow).where(PoActionRow.party == sender.party, PoActionRow.po_key == key),
        lambda: PoActionRow(**fields),
    )
    recorded = PoDecision(
        action=PoAction(row.action),
        reason=row.reason,
        template=row.template,
        values=row.template_values or {},
        enter_order=row.enter_order,
        flags=row.flags or [],
    )
    return ClaimedAction(
        row.id, recorded, row.status == PoActionStatus.DONE, row.message_key, row.order_id
    )


def record_order(customer_id: str, po_number: str, total: Decimal, on: date) -> int:
    """Enter an accepted order (orders feed tiers); the same PO again returns the same order."""
    order = _get_or_insert(
        select(OrderRow).where(
            OrderRow.customer_id == customer_id, OrderRow.po_number == po_number
        ),
        lambda: OrderRow(
            customer_id=customer_id,
            po_number=po_number,
            order_date=on,
            amount=total,
            source="po",
            status=OrderStatus.ACCEPTED,
        ),
    )
    return order.id


def mark_done(action_id: int, order_id: int | None = None) -> None:
    with store.session() as s:
        row = s.get(PoActionRow, action_id)
        if row is not None:
            row.status = PoActionStatus.DONE
            row.order_id = order_id if order_id is not None else row.order_id
