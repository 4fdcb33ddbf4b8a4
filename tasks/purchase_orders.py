"""Prefect tasks of the purchase-order procedure: thin calls into `csflows.purchase_orders`."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from prefect import task

from csflows.errors import PoInputError
from csflows.models.purchase_order import PoDecision, PoEmail, PoReading, ReceivedPo, Sender
from csflows.purchase_orders import inbound, records, senders
from csflows.purchase_orders.policy import po_policy
from csflows.purchase_orders.reading import read_purchase_order, readable_text
from tasks import vetting_gates


@task(name="receive-purchase-order")
def receive_purchase_order(
    message: dict[str, Any] | None, ticket_id: int | None, dry_run: bool
) -> ReceivedPo:
    """The PO email, its raw form kept as a ticket first (unless a dry run stores nothing)."""
    if (message is None) == (ticket_id is None):
        raise PoInputError("give exactly one of message or ticket_id")
    if message is None:
        assert ticket_id is not None
        return ReceivedPo(
            email=inbound.from_raw(records.ticket_raw(ticket_id)), ticket_id=ticket_id
        )
    if not dry_run:
        raw = inbound.raw_bytes(message)
        sender = str(message.get("from", "")) if isinstance(message, dict) else ""
        subject = str(message.get("subject", "")) if isinstance(message, dict) else ""
        ticket_id = records.store_inbound(
            inbound.message_id_for(message), raw, sender, subject, inbox="po"
        )
    return ReceivedPo(email=inbound.from_json(message), ticket_id=ticket_id)


@task(name="identify-sender")
def identify_sender(email: PoEmail) -> Sender:
    """Customer by email, domain or account number; applicant awaiting a first PO; or unknown."""
    return senders.identify_sender(email, readable_text(email), po_policy().public_mail_domains)


@task(name="read-purchase-order")
def read_po(email: PoEmail) -> PoReading:
    """The PO number, lines and total, from the attached PDF or the body."""
    return read_purchase_order(email)


@task(name="record-po-action")
def record_action(
    sender: Sender,
    reading: PoReading,
    decision: PoDecision,
    ticket_id: int | None,
    flow_run_id: str | None,
) -> records.ClaimedAction:
    """Record the action for this party and PO; a re-run gets the first one back."""
    return records.claim(sender, reading, decision, ticket_id, flow_run_id)


@task(name="enter-order")
def enter_order(
    claimed: records.ClaimedAction, customer_id: str, po_number: str, total: Decimal
) -> int:
    """Accept the order: one row in `orders` per customer and PO number (orders feed tiers)."""
    order_id = records.record_order(customer_id, po_number, total, date.today())
    records.mark_done(claimed.id, order_id=order_id)
    return order_id


@task(name="resume-vetting")
def resume_vetting(
    claimed: records.ClaimedAction, inquiry_id: int, po_number: str, total: Decimal
) -> str:
    """Give the approved applicant's vetting run its first PO (issue 4 creates the customer)."""
    flow_run_id = vetting_gates.resume_with_first_po(inquiry_id, po_number, total)
    records.mark_done(claimed.id)
    return flow_run_id


@task(name="mark-po-action-done")
def mark_done(claimed: records.ClaimedAction) -> None:
    records.mark_done(claimed.id)
