"""Customers answer the cadence's check-in (seed 002, month 2: "verify quality, orders, troubles").
An SMS reply, read from Twilio's Messages list for our number, is stored as a ticket of that
customer like any mail: triage types it, and a complaint starts the negative-feedback steps.
(An email reply reaches the Customer Service inbox that triage polls: the check-in's Reply-To.)

Whichever way it came, a reply to a cadence message also goes to the customer's sales agent
(`agent_mails`), since the check-in tells the customer their agent reads it."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, parsedate_to_datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from csflows import store
from csflows.clients.twilio import e164
from csflows.errors import PhoneNumberError
from csflows.models import Ticket, TicketStatus, TouchpointKind
from csflows.outbox import OutgoingEmail, message_id_for
from csflows.retention.policy import cadence
from csflows.store.tables import CustomerRow, TicketRow, TouchpointRow
from csflows.templates import render

SMS_INBOX = "sms"


def _customers_by_phone() -> dict[str, CustomerRow]:
    found: dict[str, CustomerRow] = {}
    with store.session() as s:
        for row in s.scalars(select(CustomerRow).where(CustomerRow.phone != "")):
            try:
                found.setdefault(e164(row.phone), row)
            except PhoneNumberError:
                continue
            s.expunge(row)
    return found


def as_mail(message: dict[str, Any], customer: CustomerRow | None, our_inbox: str) -> bytes:
    """One SMS as the message triage reads: from the customer (their address, so triage knows
    them), to the Customer Service inbox, the text as the body, Twilio's SID in the Message-ID."""
    number = str(message.get("from") or "")
    mail = EmailMessage()
    if customer is not None:
        mail["From"] = formataddr((customer.name, customer.email))
    else:
        mail["From"] = formataddr((number, f"sms-{number.lstrip('+')}@sms.invalid"))
    mail["To"] = our_inbox
    mail["Subject"] = f"SMS from {number}"
    sent = message.get("date_sent") or message.get("date_created")
    try:
        when = parsedate_to_datetime(str(sent))
    except (TypeError, ValueError):
        when = datetime.now(UTC)
    mail["Date"] = format_datetime(when)
    mail["Message-ID"] = f"<{message['sid']}@sms.twilio.com>"
    mail.set_content(str(message.get("body") or ""))
    return bytes(mail)


def store_sms_replies(messages: Iterable[dict[str, Any]], our_inbox: str) -> list[int]:
    """Store each new reply as a ticket (once: the Message-ID carries Twilio's SID); the new
    tickets' ids. A number no customer has is kept too, for a person to look at."""
    customers = _customers_by_phone()
    stored = []
    for message in messages:
        try:
            number = e164(str(message.get("from") or ""))
        except PhoneNumberError:
            number = ""
        raw = as_mail(message, customers.get(number), our_inbox)
        message_id = f"<{message['sid']}@sms.twilio.com>"
        with store.session() as s:
            if s.scalar(select(TicketRow.id).where(TicketRow.message_id == message_id)):
                continue
            ticket = TicketRow(
                message_id=message_id,
                inbox=SMS_INBOX,
                uid=None,
                raw=raw,
                status=TicketStatus.RECEIVED,
            )
            s.add(ticket)
            s.flush()
            stored.append(ticket.id)
    return stored


REPLY_CHARS = 4000  # of the customer's text in the agent's mail; the ticket keeps it all


def agent_mails(ticket_ids: Sequence[int]) -> list[OutgoingEmail]:
    """For each ticket that is a customer's reply to a cadence message (an SMS from a customer
    we texted, a mail answering one of our cadence mails), a mail with the reply to the
    customer's sales agent; once per ticket, by key."""
    mails = []
    with store.session() as s:
        for row in s.scalars(select(TicketRow).where(TicketRow.id.in_(list(ticket_ids)))):
            if row.parsed is None:
                continue  # unreadable: people see the ticket
            ticket = Ticket.model_validate(row.parsed)
            customer = s.scalars(
                select(CustomerRow).where(func.lower(CustomerRow.email) == ticket.sender.lower())
            ).first()
            answered = customer and _answered(s, row.inbox, ticket, customer.id)
            if customer and answered:
                mails.append(_to_agent(row.id, ticket, customer, answered))
    return mails


def _answered(s: Session, inbox: str, ticket: Ticket, customer_id: str) -> TouchpointRow | None:
    """The cadence message `ticket` answers: by SMS, the last one texted to the customer; by
    mail, the one its In-Reply-To or References name (our Message-IDs derive from the key)."""
    sent = (
        select(TouchpointRow)
        .where(TouchpointRow.customer_id == customer_id, TouchpointRow.status == "done")
        .order_by(TouchpointRow.done_at.desc(), TouchpointRow.id.desc())
    )
    if inbox == SMS_INBOX:
        return s.scalars(sent.where(TouchpointRow.kind == TouchpointKind.SMS.value)).first()
    named = {ticket.in_reply_to, *ticket.references} - {None}
    for touchpoint in s.scalars(sent.where(TouchpointRow.kind == TouchpointKind.EMAIL.value)):
        if message_id_for(f"touchpoint:{touchpoint.id}") in named:
            return touchpoint
    return None


def _to_agent(
    ticket_id: int, ticket: Ticket, customer: CustomerRow, answered: TouchpointRow
) -> OutgoingEmail:
    policy = cadence()
    agent = policy.agent(customer.sales_agent)
    month = next((step.month for step in policy.steps if step.key == answered.step), None)
    values: dict[str, Any] = {
        "agent_name": agent.name,
        "customer_name": customer.name,
        "customer_id": customer.id,
        "phone": customer.phone,
        "email": customer.email,
        "channel": "SMS" if answered.kind == TouchpointKind.SMS.value else "email",
        "month": month,
        "cycle": answered.cycle,
        "reply": ticket.text.strip()[:REPLY_CHARS] or "(no text)",
        "ticket_id": ticket_id,
    }
    message = render("retention_customer_reply", **values)
    return OutgoingEmail(
        key=f"ticket:{ticket_id}:agent",
        to=str(agent.email),
        subject=message.subject,
        body=message.body,
        template=message.template,
        values={k: v for k, v in values.items() if k != "reply"},
        customer_id=customer.id,
        ticket_id=ticket_id,
    )
