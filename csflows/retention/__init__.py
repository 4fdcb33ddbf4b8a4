"""The three-month retention cadence (seed 002): plan, enroll, dispatch, feedback, report."""

from csflows.retention.enrollment import enroll, enroll_ready
from csflows.retention.plan import (
    PlannedTouchpoint,
    add_business_hours,
    is_business_day,
    next_business_day,
    plan,
)
from csflows.retention.policy import Cadence, CadenceStep, cadence

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
