"""Outbound messages (email, SMS), each exactly once: its idempotency key is a unique row in the
store.

A message already sent under its key is not sent again, whatever re-runs or resumes. The SMTP
Message-ID is derived from the key too, so a crash between sending and recording yields at most a
duplicate that mail systems recognise as the same message; for a channel whose provider can be
asked what it sent (Twilio), an attempt whose result was never recorded is looked up before any
second try.
"""

from __future__ import annotations

import hashlib
import smtplib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import formatdate, getaddresses
from typing import Any, Protocol

from sqlalchemy import select

from csflows import limits, store
from csflows.errors import DeliveryError, HeaderInjectionError
from csflows.models.message import DeliveryStatus, MessageStatus
from csflows.store.tables import MessageRow


class MailSender(Protocol):
    """Where email goes out: the SmtpServer block (blocks/) opens its own connection to send."""

    @property
    def mail_from(self) -> str: ...

    def send_message(self, message: EmailMessage) -> None:
        """Send one message; smtplib.SMTPException or OSError when the server refuses or is down."""
        ...


class SmsReceipt(Protocol):
    @property
    def sid(self) -> str: ...


class SmsSender(Protocol):
    """Where SMS goes out: csflows.clients.twilio.TwilioClient (the TwilioCredentials block's)."""

    def send_sms(self, to: str, body: str) -> SmsReceipt: ...

    def find_sent(self, to: str, body: str, since: datetime) -> str | None:
        """The provider's id of a message with this body sent to `to` since `since`, if any."""
        ...


@dataclass
class Attachment:
    filename: str
    content: bytes
    mime_type: str = "application/octet-stream"


@dataclass
class OutgoingEmail:
    key: str
    to: str
    subject: str
    body: str
    template: str | None = None
    values: dict[str, Any] = field(default_factory=dict)
    customer_id: str | None = None
    inquiry_id: int | None = None
    ticket_id: int | None = None
    attachments: list[Attachment] = field(default_factory=list)
    in_reply_to: str | None = None
    # where the recipient's answer goes: the inbox triage reads, and the rep who signs
    reply_to: list[str] = field(default_factory=list)
    cc: list[str] = field(default_factory=list)  # copied (the rep on the applicant's outcome)


@dataclass
class Delivery:
    key: str
    status: DeliveryStatus
    message_id: str  # the SMTP Message-ID, or the provider's id (a Twilio message SID)


@dataclass
class Envelope:
    """What the `messages` row records about one outbound message, whatever its channel."""

    key: str
    channel: str  # email | sms
    recipient: str
    body: str
    subject: str = ""
    template: str | None = None
    values: dict[str, Any] = field(default_factory=dict)
    customer_id: str | None = None
    inquiry_id: int | None = None
    ticket_id: int | None = None


def message_id_for(key: str, domain: str = "csflows.local") -> str:
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:32]}@{domain}>"


def _header(name: str, value: str) -> str:
    if "\n" in value or "\r" in value:
        raise HeaderInjectionError(
            f"{name}: a line break is not allowed in a mail header (got {value[:80]!r})"
        )
    found = limits.unsafe_character(value)
    if found:
        raise HeaderInjectionError(
            f"{name}: a control character is not allowed in a mail header ({found})"
        )
    if len(value) > limits.MAIL_HEADER_CHARS:
        raise HeaderInjectionError(limits.too_long(name, len(value), limits.MAIL_HEADER_CHARS))
    return value


def _recipient(value: str) -> str:
    """Exactly one address: a value such as `a@x.example, b@y.example` would add recipients."""
    found = getaddresses([_header("to", value)])
    if len(found) != 1 or "@" not in found[0][1]:
        raise HeaderInjectionError(f"to: one email address expected (got {value[:80]!r})")
    return value


def build_email(outgoing: OutgoingEmail, mail_from: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = _header("from", mail_from)
    msg["To"] = _recipient(outgoing.to)
    if outgoing.cc:
        msg["Cc"] = ", ".join(_recipient(address) for address in outgoing.cc)
    if outgoing.reply_to:
        msg["Reply-To"] = ", ".join(_recipient(address) for address in outgoing.reply_to)
    msg["Subject"] = _header("subject", outgoing.subject)
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = message_id_for(outgoing.key)
    if outgoing.in_reply_to:
        msg["In-Reply-To"] = _header("in_reply_to", outgoing.in_reply_to)
        msg["References"] = outgoing.in_reply_to
    msg.set_content(outgoing.body)
    for item in outgoing.attachments:
        maintype, _, subtype = item.mime_type.partition("/")
        msg.add_attachment(
            item.content,
            maintype=maintype,
            subtype=subtype or "octet-stream",
            filename=_header("attachment", item.filename),
        )
    return msg


def already_sent(key: str) -> bool:
    with store.session() as s:
        status = s.scalar(select(MessageRow.status).where(MessageRow.idempotency_key == key))
    return status == MessageStatus.SENT


def deliver_once(
    envelope: Envelope,
    transmit: Callable[[], str],
    reconcile: Callable[[datetime], str | None] | None = None,
) -> Delivery:
    """Run `transmit` (returns the provider's id) unless the key was sent already; record it.

    A row left unsent by an earlier attempt is first checked with `reconcile(first_attempt_at)`
    (the provider's id if that attempt did reach the provider), so a crash mid-send never
    sends twice.
    """
    with store.session() as s:
        row = s.scalar(select(MessageRow).where(MessageRow.idempotency_key == envelope.key))
        if row is not None and row.status == MessageStatus.SENT:
            return Delivery(envelope.key, DeliveryStatus.ALREADY_SENT, row.provider_id or "")
        first_attempt_at = row.created_at if row is not None else None
        if row is None:
            row = MessageRow(idempotency_key=envelope.key, channel=envelope.channel)
            s.add(row)
        row.recipient, row.subject, row.body = envelope.recipient, envelope.subject, envelope.body
        row.template, row.template_values = envelope.template, _jsonable(envelope.values)
        row.customer_id, row.inquiry_id, row.ticket_id = (
            envelope.customer_id,
            envelope.inquiry_id,
            envelope.ticket_id,
        )
        row.status = MessageStatus.PENDING
    if first_attempt_at is not None and reconcile is not None:
        found = reconcile(first_attempt_at)
        if found:
            _mark(envelope.key, MessageStatus.SENT, provider_id=found)
            return Delivery(envelope.key, DeliveryStatus.ALREADY_SENT, found)
    try:
        provider_id = transmit()
    except Exception as exc:
        _mark(envelope.key, MessageStatus.FAILED, error=f"{exc.__class__.__name__}: {exc}"[:2000])
        raise
    _mark(envelope.key, MessageStatus.SENT, provider_id=provider_id)
    return Delivery(envelope.key, DeliveryStatus.SENT, provider_id)


def send_email(outgoing: OutgoingEmail, sender: MailSender) -> Delivery:
    """Send `outgoing` once. Raises DeliveryError (retry later) or HeaderInjectionError."""
    message = build_email(
        outgoing, sender.mail_from
    )  # refuses bad headers before anything is stored
    message_id = str(message["Message-ID"])

    def transmit() -> str:
        try:
            sender.send_message(message)
        except (smtplib.SMTPException, OSError) as exc:
            raise DeliveryError(
                f"mail to {outgoing.to} not sent yet, the mail server did not take it "
                f"({exc.__class__.__name__}: {exc}); it waits in the outbox (key {outgoing.key}) "
                "and goes out once when this run or command is repeated with the mail server "
                "up (the csflows SMTP block, or CSFLOWS_SMTP_HOST and CSFLOWS_SMTP_PORT)"
            ) from exc
        return message_id

    envelope = Envelope(
        key=outgoing.key,
        channel="email",
        recipient=outgoing.to,
        subject=outgoing.subject,
        body=outgoing.body,
        template=outgoing.template,
        values=outgoing.values,
        customer_id=outgoing.customer_id,
        inquiry_id=outgoing.inquiry_id,
        ticket_id=outgoing.ticket_id,
    )
    delivery = deliver_once(envelope, transmit)
    return Delivery(delivery.key, delivery.status, message_id)


def _mark(
    key: str, status: MessageStatus, error: str | None = None, provider_id: str | None = None
) -> None:
    with store.session() as s:
        row = s.scalar(select(MessageRow).where(MessageRow.idempotency_key == key))
        if row is None:
            return
        row.status, row.error = status, error
        if provider_id:
            row.provider_id = provider_id
        if status == MessageStatus.SENT:
            row.sent_at = datetime.now(UTC)


def _jsonable(values: dict[str, Any]) -> dict[str, Any]:
    import json

    return json.loads(json.dumps(values, default=str))


@dataclass
class OutgoingSms:
    key: str
    to: str  # E.164
    body: str
    template: str | None = None
    values: dict[str, Any] = field(default_factory=dict)
    customer_id: str | None = None


def send_sms(outgoing: OutgoingSms, sender: SmsSender) -> Delivery:
    """Send `outgoing` once through `sender`; an unrecorded earlier attempt is looked up first."""
    envelope = Envelope(
        key=outgoing.key,
        channel="sms",
        recipient=outgoing.to,
        body=outgoing.body,
        template=outgoing.template,
        values=outgoing.values,
        customer_id=outgoing.customer_id,
    )
    return deliver_once(
        envelope,
        transmit=lambda: sender.send_sms(outgoing.to, outgoing.body).sid,
        reconcile=lambda since: sender.find_sent(outgoing.to, outgoing.body, since),
    )
