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


class TouchpointStatus(StrEnum):
    """Where a cadence step is; stored as these strings in `touchpoints.status`."""

    PENDING = "pending"  # planned, not due or not worked yet
    ASSIGNED = "assigned"  # a call or visit given to the sales agent
    ESCALATED = "escalated"  # an assigned one overdue: the agent's manager was told
    DONE = "done"  # sent, or its outcome recorded
    FAILED = "failed"  # a message that can never go (a bad number or address)
    CANCELLED = "cancelled"  # the cadence restarted after negative feedback


class Touchpoint(Model):
    customer_id: str
    step: str
    kind: TouchpointKind
    due: date
    cycle: int = 1
    status: TouchpointStatus = TouchpointStatus.PENDING
    assigned_to: str | None = None
    done_at: datetime | None = None
    outcome: Outcome | None = None
    notes: str = ""
