"""The three-month retention cadence (seed 002): plan, enroll, dispatch, feedback, report."""

from csflows.retention.config import Cadence, CadenceStep, cadence
from csflows.retention.enrollment import enroll, enroll_ready
from csflows.retention.plan import (
    PlannedTouchpoint,
    add_business_hours,
    is_business_day,
    next_business_day,
    plan,
)

__all__ = [
    "Cadence",
    "CadenceStep",
    "PlannedTouchpoint",
    "add_business_hours",
    "cadence",
    "enroll",
    "enroll_ready",
    "is_business_day",
    "next_business_day",
    "plan",
]
