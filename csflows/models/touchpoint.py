"""A step of the three-month retention cadence (seed 002)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from csflows.models.common import Model


class TouchpointKind(StrEnum):
    SMS = "sms"
    EMAIL = "email"
    CALL = "call"
    VISIT = "visit"


class Outcome(StrEnum):
    POSITIVE = "positive"
    NEUTRAL = "neutral"
    NEGATIVE = "negative"


class Touchpoint(Model):
    customer_id: str
    step: str
    kind: TouchpointKind
    due: date
    cycle: int = 1
    status: str = "pending"
    assigned_to: str | None = None
    done_at: datetime | None = None
    outcome: Outcome | None = None
    notes: str = ""
