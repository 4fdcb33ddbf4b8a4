"""Business time: how long an approval has waited, counting only weekdays that are not holidays."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

DAY_SECONDS = 86400.0
SATURDAY_SUNDAY = frozenset({5, 6})


def is_business_day(
    day: date, holidays: Collection[date] = (), weekend: frozenset[int] = SATURDAY_SUNDAY
) -> bool:
    """Not a weekend day (0 = Monday) and not a holiday: the one rule vetting and retention share."""
    return day.weekday() not in weekend and day not in holidays


def business_days_between(
    start: datetime, end: datetime, timezone: str, holidays: Iterable[date] = ()
) -> float:
    """Business days (fractional) from `start` to `end`: weekend and holiday hours do not count."""
    if end <= start:
        return 0.0
    tz = ZoneInfo(timezone)
    start, end = start.astimezone(tz), end.astimezone(tz)
    closed = set(holidays)
    seconds = 0.0
    day = start.date()
    while day <= end.date():
        if is_business_day(day, closed):
            day_start = datetime.combine(day, time.min, tz)
            day_end = datetime.combine(day + timedelta(days=1), time.min, tz)
            overlap = min(end, day_end) - max(start, day_start)
            seconds += max(overlap.total_seconds(), 0.0)
        day += timedelta(days=1)
    return seconds / DAY_SECONDS


def approval_actions_due(
    waited_business_days: float, reminder_after: float, timeout: float
) -> list[str]:
    """What an unanswered approval calls for, in order: a reminder, then the escalation."""
    due = []
    if waited_business_days >= reminder_after:
        due.append("reminder")
    if waited_business_days >= timeout:
        due.append("escalation")
    return due
