"""A purchase order as read from an email, who sent it, and what Customer Service does (seed 000)."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import Any

from pydantic import Field, computed_field

from csflows.models.common import Model, Money


class PoAction(StrEnum):
    """What the purchase-order procedure does with one PO (the CLI's `action`)."""

    MINIMUMS_LETTER = "minimums_letter"  # Level 4, Craft & Hobby: the seed's letter (and the
    # order entered when it meets the minimums)
    REDIRECT_TO_WEBSITE = "redirect_to_website"  # Level 4, Floating Luxuries: the website
    MINIMUMS_RESPONSE = "minimums_response"  # below the division's minimum order
    ACCEPT = "accept"  # the order is recorded (orders feed tiers)
    SUPERVISOR_REVIEW = "supervisor_review"  # a supervisor decides (a Level 4 where the division
    # has none, or minimums the seed applies that nobody configured); the customer gets nothing
    RESUME_VETTING = "resume_vetting"  # an approved applicant's first PO
    UNKNOWN_SENDER = "unknown_sender"  # routed to Customer Service with the PO attached
    NEEDS_OPERATOR = "needs_operator"  # the PO could not be read: an operator reads it


class PoActionStatus(StrEnum):
    """Whether the action recorded for a PO was carried out; stored in `po_actions.status`."""

    PENDING = "pending"  # decided and recorded, not carried out yet
    DONE = "done"  # the order entered or the vetting resumed: a re-run does it not again


class SenderKind(StrEnum):
    CUSTOMER = "customer"
    APPLICANT = "applicant"
    UNKNOWN = "unknown"


class PoAttachment(Model):
    """A file attached to the PO email; `content` is the raw bytes."""

    filename: str = Field(min_length=1, max_length=255)
    content_type: str = "application/octet-stream"
    content: bytes = Field(repr=False)

    @property
    def is_pdf(self) -> bool:
        return self.content_type == "application/pdf" or self.filename.lower().endswith(".pdf")


class PoEmail(Model):
    """An inbound email that carries a purchase order."""

    sender: str = Field(min_length=3, max_length=320, description="the From address")
    sender_name: str = ""
    subject: str = ""
    body: str = ""
    attachments: list[PoAttachment] = Field(default_factory=list)
    message_id: str | None = None


class ReceivedPo(Model):
    """A PO email as received, and the ticket its raw form is kept as (none on a dry run)."""

    email: PoEmail
    ticket_id: int | None = None


class PoLine(Model):
    """One line of a PO whose quantity times unit price equals its amount."""

    description: str
    quantity: int = Field(ge=0)
    unit_price: Money
    amount: Money


class PoReading(Model):
    """What was read from a PO; `problems` non-empty means an operator must read it."""

    po_number: str | None = None
    total: Money | None = None
    lines: list[PoLine] = Field(default_factory=list)
    source: str = Field("", description="body, or the attachment's filename")
    problems: list[str] = Field(default_factory=list)

    @property
    def readable(self) -> bool:
        return not self.problems and self.po_number is not None and self.total is not None


class Sender(Model):
    """Who sent a PO: a customer, an applicant awaiting a first PO, or nobody we know."""

    kind: SenderKind
    matched_by: str = Field("", description="email, domain, account_number, or empty")
    email: str
    name: str = ""
    customer_id: str | None = None
    inquiry_id: int | None = None
    division: str | None = Field(None, description="division key")
    level: int | None = Field(None, ge=1, le=4)
    note: str = ""
    tier: str = Field("", description="a customer's service tier as CS reads it (seed 003)")

    @property
    def party(self) -> str:
        """Whose PO numbers these are: one response per PO number and party."""
        if self.customer_id:
            return self.customer_id
        if self.inquiry_id is not None:
            return f"inquiry-{self.inquiry_id}"
        return f"unknown-{self.email.lower()}"


class PoDecision(Model):
    """The action for a PO, why, and the template and values of the message it sends (if any)."""

    action: PoAction
    reason: str
    template: str | None = None
    values: dict[str, Any] = Field(default_factory=dict)
    minimum: Decimal | None = None
    enter_order: bool = Field(False, description="the order is entered (with the letter, if any)")
    flags: list[str] = Field(
        default_factory=list, description="what was not checked, for an operator to look at"
    )


class PoOutcome(Model):
    """What the procedure did with one PO: the CLI's JSON and the flow's result."""

    customer_id: str | None
    division: str | None
    level: int | None
    po_number: str | None
    total: Decimal | None
    action: PoAction
    reason: str = ""
    inquiry_id: int | None = None
    ticket_id: int | None = None
    message_key: str | None = None
    order_id: int | None = None
    flags: list[str] = Field(default_factory=list)
    dry_run: bool = False

    @computed_field  # type: ignore[prop-decorator]
    @property
    def order_entered(self) -> bool:
        """The order is in `orders` (it feeds tiers)."""
        return self.order_id is not None

    def summary(self) -> dict[str, Any]:
        """The keys `csflows po --json` prints."""
        return self.model_dump(mode="json", include=set(SUMMARY_KEYS))


SUMMARY_KEYS = (
    "customer_id",
    "division",
    "level",
    "po_number",
    "total",
    "action",
    "order_entered",
)
