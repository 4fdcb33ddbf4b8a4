"""Customers answer the cadence's check-in (seed 002, month 2: "verify quality, orders, troubles").
An SMS reply, read from Twilio's Messages list for our number, is stored as a ticket of that
customer like any mail: triage types it, and a complaint starts the negative-feedback steps.
(Email replies need nothing of their own: the check-in mail's Reply-To is the Customer Service
inbox that triage polls.)"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, parsedate_to_datetime
from typing import Any

from sqlalchemy import select

from csflows import store
from csflows.clients.twilio import e164
from csflows.errors import PhoneNumberError
from csflows.models import TicketStatus
from csflows.store.tables import CustomerRow, TicketRow

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
