"""The email a PO's action sends: its letter (the seed's own for Level 4, ours otherwise) rendered
with the values recorded for it; and the division's Level-4 letter, once per customer."""

from __future__ import annotations

from typing import Any

from csflows.divisions import divisions
from csflows.links import waiting_for
from csflows.models.purchase_order import PoAction, PoDecision, PoEmail, PoReading, Sender
from csflows.outbox import Attachment, OutgoingEmail
from csflows.templates import render

TO_STAFF = frozenset({PoAction.UNKNOWN_SENDER, PoAction.SUPERVISOR_REVIEW})


def with_values(
    decision: PoDecision, sender: Sender, reading: PoReading, email: PoEmail, link: str = ""
) -> PoDecision:
    """The decision with every value its template needs, JSON-ready, so it can be recorded;
    `link` is the run's page, where a supervisor answers."""
    if decision.template is None:
        return decision
    values: dict[str, Any] = {
        "customer_name": sender.name or sender.email,
        "po_number": reading.po_number,
        "total": None if reading.total is None else str(reading.total),
        "division": sender.division,
    } | {k: str(v) for k, v in decision.values.items()}
    if decision.action is PoAction.UNKNOWN_SENDER:
        values |= {
            "sender": email.sender,
            "subject": email.subject,
            "body": email.body,
            "problems": reading.problems,
        }
    if decision.action is PoAction.SUPERVISOR_REVIEW:
        values |= {
            "sender": email.sender,
            "subject": email.subject,
            "customer_id": sender.customer_id,
            "level": sender.level,
            "tier": sender.tier,
            "division_name": divisions().get(sender.division).name if sender.division else "",
            "reason": decision.reason,
            "link": link,
            "queue_link": waiting_for("supervisor") if link else "",
        }
    return decision.model_copy(update={"values": values})


def render_values(values: dict[str, Any]) -> dict[str, Any]:
    """Recorded values plus the division's policy objects the templates read."""
    out = dict(values)
    if values.get("division"):
        division = divisions().get(values["division"])
        out |= {"division": division, "minimums": division.minimums}
    return out


def _attachments(email: PoEmail) -> list[Attachment]:
    if email.attachments:
        return [Attachment(a.filename, a.content, a.content_type) for a in email.attachments]
    return [Attachment("purchase-order.txt", email.body.encode(), "text/plain")]


def announcement_email(
    decision: PoDecision, sender: Sender, email: PoEmail
) -> OutgoingEmail | None:
    """Seed 000's letter of a division whose Level 4 customers get the minimums letter (Craft &
    Hobby), once per customer and letter: every later PO gets only its answer."""
    if decision.action is not PoAction.MINIMUMS_LETTER or not sender.division:
        return None
    template = divisions().get(sender.division).level4_template
    if template is None:
        return None
    message = render(template, **render_values(decision.values))
    return OutgoingEmail(
        key=f"po:{sender.party}:{template}",
        to=email.sender,
        subject=message.subject,
        body=message.body,
        template=template,
        values=decision.values,
        customer_id=sender.customer_id,
    )


def response_email(
    decision: PoDecision,
    key: str,
    sender: Sender,
    email: PoEmail,
    staff_address: str,
    ticket_id: int | None,
) -> OutgoingEmail:
    """The outgoing email for a decision with a template: to the sender, or to staff (Customer
    Service for an unknown sender, the supervisor for a review) with the PO attached."""
    assert decision.template is not None
    message = render(decision.template, **render_values(decision.values))
    to_cs = decision.action in TO_STAFF
    return OutgoingEmail(
        key=key,
        to=staff_address if to_cs else email.sender,
        subject=message.subject,
        body=message.body,
        template=decision.template,
        values=decision.values,
        customer_id=sender.customer_id,
        inquiry_id=sender.inquiry_id,
        ticket_id=ticket_id,
        attachments=_attachments(email) if to_cs else [],
        in_reply_to=None if to_cs else email.message_id,
    )
