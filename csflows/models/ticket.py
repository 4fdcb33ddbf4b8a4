"""An inbound customer-service message and the ticket it becomes (seed 004)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import Field

from csflows.models.common import Model


class TicketStatus(StrEnum):
    """Where a ticket is; stored as these strings in `tickets.status`."""

    RECEIVED = "received"  # stored raw, not triaged yet
    OPEN = "open"
    NEEDS_TRIAGE = "needs_triage"
    RESOLVED = "resolved"


class Attachment(Model):
    filename: str
    content_type: str = "application/octet-stream"
    size: int = 0
    text: str = ""


class Ticket(Model):
    message_id: str
    inbox: str = ""
    sender: str = ""
    to: list[str] = Field(default_factory=list)
    cc: list[str] = Field(default_factory=list)
    subject: str = ""
    text: str = ""
    attachments: list[Attachment] = Field(default_factory=list)
    in_reply_to: str | None = None
    references: list[str] = Field(default_factory=list)
    received_at: datetime | None = None
    type: str | None = None
    confidence: float | None = Field(None, ge=0, le=1)
    assignee: str | None = None
    status: TicketStatus = TicketStatus.OPEN
