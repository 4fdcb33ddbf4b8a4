"""The store's tables (DESIGN.md: each arrow of the data flow is a row)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from csflows.models.customer import CustomerStatus
from csflows.models.message import MessageStatus
from csflows.models.order import OrderStatus
from csflows.models.purchase_order import PoActionStatus
from csflows.models.ticket import TicketStatus
from csflows.models.touchpoint import TouchpointStatus
from csflows.models.vetting import InquiryStatus


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON, Decimal: Numeric(14, 2)}


class TicketRow(Base):
    """An inbound message, stored raw before it is parsed; unique on Message-ID across inboxes."""

    __tablename__ = "tickets"
    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[str] = mapped_column(String(998), unique=True)
    inbox: Mapped[str] = mapped_column(String(200), default="")
    uid: Mapped[int | None] = mapped_column(Integer)
    uidvalidity: Mapped[int | None] = mapped_column(BigInteger)  # the folder's, when uid was read
    raw: Mapped[bytes] = mapped_column(LargeBinary)
    sender: Mapped[str] = mapped_column(String(320), default="")
    subject: Mapped[str] = mapped_column(Text, default="")
    parsed: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    parse_error: Mapped[str | None] = mapped_column(Text)
    type: Mapped[str | None] = mapped_column(String(120))
    confidence: Mapped[float | None]
    signals: Mapped[list[Any] | None] = mapped_column(JSON)
    guesses: Mapped[list[Any] | None] = mapped_column(JSON)  # [[type, probability], ...]
    review_run_id: Mapped[str | None] = mapped_column(String(64))
    assignee: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(40), default=TicketStatus.OPEN)
    routed_to: Mapped[str | None] = mapped_column(String(200))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class InquiryRow(Base):
    """A new-customer inquiry (seed 001): the raw form first, then its progress."""

    __tablename__ = "inquiries"
    id: Mapped[int] = mapped_column(primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(String(128), unique=True)
    raw: Mapped[str] = mapped_column(Text)
    raw_format: Mapped[str] = mapped_column(String(20), default="json")
    form: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    business_name: Mapped[str] = mapped_column(String(300), default="")
    email: Mapped[str] = mapped_column(String(320), default="")
    division: Mapped[str | None] = mapped_column(String(60))
    status: Mapped[str] = mapped_column(String(40), default=InquiryStatus.RECEIVED)
    recommendation: Mapped[str | None] = mapped_column(String(20))
    source: Mapped[str] = mapped_column(String(40), default="cli")
    rep: Mapped[str | None] = mapped_column(String(120))  # a person's key in people.yaml
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"))
    flow_run_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )


class CheckResultRow(Base):
    """One criterion's verdict for an inquiry, with the evidence it saw."""

    __tablename__ = "check_results"
    id: Mapped[int] = mapped_column(primary_key=True)
    inquiry_id: Mapped[int] = mapped_column(ForeignKey("inquiries.id"), index=True)
    round: Mapped[int] = mapped_column(Integer, default=1)
    criterion: Mapped[str] = mapped_column(String(40))
    verdict: Mapped[str] = mapped_column(String(20))
    evidence: Mapped[list[Any]] = mapped_column(JSON, default=list)
    api_calls: Mapped[int] = mapped_column(Integer, default=0)
    checked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class DecisionRow(Base):
    """Who decided what about an inquiry, when, why, and the evidence they saw."""

    __tablename__ = "decisions"
    id: Mapped[int] = mapped_column(primary_key=True)
    inquiry_id: Mapped[int] = mapped_column(ForeignKey("inquiries.id"), index=True)
    decision: Mapped[str] = mapped_column(String(40))
    reviewer: Mapped[str] = mapped_column(String(200))
    note: Mapped[str] = mapped_column(Text, default="")
    evidence: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    decided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class CustomerRow(Base):
    """A customer: created only after approval and the first PO (seed 001), or imported."""

    __tablename__ = "customers"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(320), index=True)
    phone: Mapped[str] = mapped_column(String(40), default="")
    division: Mapped[str] = mapped_column(String(60), index=True)
    level: Mapped[int] = mapped_column(Integer)
    tier: Mapped[str | None] = mapped_column(String(40))
    sales_agent: Mapped[str] = mapped_column(String(200), default="")
    address: Mapped[str] = mapped_column(Text, default="")
    timezone: Mapped[str] = mapped_column(String(64), default="America/Chicago")
    status: Mapped[str] = mapped_column(String(40), default=CustomerStatus.ACTIVE)
    inquiry_id: Mapped[int | None] = mapped_column(ForeignKey("inquiries.id"))
    netsuite_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class OrderRow(Base):
    """An order (or refund, negative); one per customer and PO number."""

    __tablename__ = "orders"
    __table_args__ = (UniqueConstraint("customer_id", "po_number", name="uq_orders_customer_po"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[str] = mapped_column(String(64), index=True)
    po_number: Mapped[str] = mapped_column(String(100))
    order_date: Mapped[date] = mapped_column(Date, index=True)
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    source: Mapped[str] = mapped_column(String(40), default="import")
    status: Mapped[str] = mapped_column(String(40), default=OrderStatus.ACCEPTED)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class TouchpointRow(Base):
    """A retention-cadence step for a customer (seed 002): due, done, outcome."""

    __tablename__ = "touchpoints"
    __table_args__ = (UniqueConstraint("customer_id", "cycle", "step", name="uq_touchpoints_step"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"), index=True)
    cycle: Mapped[int] = mapped_column(Integer, default=1)
    step: Mapped[str] = mapped_column(String(60))
    kind: Mapped[str] = mapped_column(String(20))
    due: Mapped[date] = mapped_column(Date, index=True)
    status: Mapped[str] = mapped_column(String(20), default=TouchpointStatus.PENDING, index=True)
    assigned_to: Mapped[str | None] = mapped_column(String(200))
    done_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    outcome: Mapped[str | None] = mapped_column(String(20))
    notes: Mapped[str] = mapped_column(Text, default="")


class FeedbackRow(Base):
    """Feedback on a customer from a touchpoint or a complaint ticket (seed 002's loop)."""

    __tablename__ = "feedback"
    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[str] = mapped_column(String(64), index=True)
    outcome: Mapped[str] = mapped_column(String(20))  # positive | neutral | negative
    source: Mapped[str] = mapped_column(String(120))  # e.g. touchpoint:42, ticket:17
    notes: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[str] = mapped_column(String(200), default="")
    handled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class MessageRow(Base):
    """An outbound message; the idempotency key makes a re-run send nothing twice."""

    __tablename__ = "messages"
    id: Mapped[int] = mapped_column(primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(300), unique=True)
    channel: Mapped[str] = mapped_column(String(20))  # email | sms
    recipient: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text, default="")
    template: Mapped[str | None] = mapped_column(String(120))
    template_values: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20), default=MessageStatus.PENDING)
    provider_id: Mapped[str | None] = mapped_column(String(200))
    error: Mapped[str | None] = mapped_column(Text)
    customer_id: Mapped[str | None] = mapped_column(String(64), index=True)
    inquiry_id: Mapped[int | None] = mapped_column(Integer, index=True)
    ticket_id: Mapped[int | None] = mapped_column(Integer, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class TierHistoryRow(Base):
    """A customer's tier as computed on a date (seed 003), kept so downgrades wait a grace period."""

    __tablename__ = "tier_history"
    __table_args__ = (UniqueConstraint("customer_id", "as_of", name="uq_tier_history_as_of"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[str] = mapped_column(String(64), index=True)
    as_of: Mapped[date] = mapped_column(Date)
    trailing_12m: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    computed_tier: Mapped[str] = mapped_column(String(40))
    tier: Mapped[str] = mapped_column(String(40))
    changed: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class LookupRow(Base):
    """A cached answer of an external lookup (Google, RDAP) keyed by its normalized request,
    so the same address or domain costs one API call, across runs, resumes and processes."""

    __tablename__ = "lookups"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 of api + request
    api: Mapped[str] = mapped_column(String(60), index=True)
    request: Mapped[str] = mapped_column(Text)  # the normalized request, for people reading
    response: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    fetched_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class PoActionRow(Base):
    """What the purchase-order procedure did with one PO (seed 000); one per party and PO.

    `party` is the customer id, `inquiry-<id>` or `unknown-<email>`; `po_key` the PO number (or
    `ticket-<id>` when it could not be read), so a re-run finds the first decision and keeps it.
    """

    __tablename__ = "po_actions"
    __table_args__ = (UniqueConstraint("party", "po_key", name="uq_po_actions_party_po"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    party: Mapped[str] = mapped_column(String(400))
    po_key: Mapped[str] = mapped_column(String(120))
    po_number: Mapped[str | None] = mapped_column(String(100))
    total: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    customer_id: Mapped[str | None] = mapped_column(String(64), index=True)
    inquiry_id: Mapped[int | None] = mapped_column(Integer)
    ticket_id: Mapped[int | None] = mapped_column(Integer, index=True)
    division: Mapped[str | None] = mapped_column(String(60))
    level: Mapped[int | None] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(40))
    reason: Mapped[str] = mapped_column(Text, default="")
    template: Mapped[str | None] = mapped_column(String(120))
    template_values: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    message_key: Mapped[str | None] = mapped_column(String(300))
    enter_order: Mapped[bool] = mapped_column(Boolean, default=False)
    flags: Mapped[list[str] | None] = mapped_column(JSON)
    order_id: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), default=PoActionStatus.PENDING)
    flow_run_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )


class TicketMirrorRow(Base):
    """What a ticket last showed in another system (the mailbox's keywords, a NetSuite case):
    `state` is the type|assignee|status mirrored; a different one is mirrored again."""

    __tablename__ = "ticket_mirrors"
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), primary_key=True)
    system: Mapped[str] = mapped_column(String(40), primary_key=True)  # mailbox, netsuite
    state: Mapped[str | None] = mapped_column(Text)  # None until mirrored once
    ref: Mapped[str | None] = mapped_column(String(300))  # the folder, the case's internal id
    note: Mapped[str | None] = mapped_column(Text)  # e.g. "server has no MOVE: keywords only"
    error: Mapped[str | None] = mapped_column(Text)  # the last failure, retried next run
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )


class InboxCursorRow(Base):
    """The last IMAP UID stored from an inbox folder, per UIDVALIDITY (issue 5's intake)."""

    __tablename__ = "inbox_cursors"
    inbox: Mapped[str] = mapped_column(String(200), primary_key=True)
    uidvalidity: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    last_uid: Mapped[int] = mapped_column(BigInteger, default=0)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )


# A PO's sender is found by address whatever its case (csflows.purchase_orders.senders).
Index("ix_customers_email_lower", func.lower(CustomerRow.email))
Index("ix_inquiries_email_lower", func.lower(InquiryRow.email))


class TicketReviewRow(Base):
    """A person's answer to a ticket the classifier was unsure of (seed 004's types): what it
    is, who gets it, what happens to it; `example` is the message as the classifier reads it, so
    the answer is a labelled example for the next training."""

    __tablename__ = "ticket_reviews"
    __table_args__ = (UniqueConstraint("ticket_id", name="uq_ticket_reviews_ticket"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"))
    type: Mapped[str] = mapped_column(String(120))
    assignee: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(20))  # route | resolve | reply
    note: Mapped[str] = mapped_column(Text, default="")
    reviewer: Mapped[str] = mapped_column(String(200), default="")
    example: Mapped[dict[str, Any]] = mapped_column(JSON)
    reviewed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class TriageModelRow(Base):
    """A triage model retrain-classifier trained (seed 004): its skops file, what it was trained
    on and how it did; kept in the store so that every worker types tickets with the same one.
    `promoted_seq` orders the promotions still standing (rollback drops the last); the active
    model, the one typing tickets, is the last of them."""

    __tablename__ = "triage_models"
    version: Mapped[str] = mapped_column(String(80), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    training_sha256: Mapped[str] = mapped_column(String(64), default="")
    threshold: Mapped[float]
    scikit_learn: Mapped[str] = mapped_column(String(40), default="")
    labels: Mapped[list[Any]] = mapped_column(JSON, default=list)
    evaluation: Mapped[dict[str, Any]] = mapped_column(JSON)
    skops: Mapped[bytes] = mapped_column(LargeBinary)  # never pickle: a model must not run code
    promoted_seq: Mapped[int | None] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
