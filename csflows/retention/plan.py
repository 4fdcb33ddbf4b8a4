"""When each touchpoint falls due: calendar-day offsets moved to the customer's next business day,
and business-hour arithmetic (the 48-hour visit, escalation) that stays right across DST."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from csflows.calendar import BusinessCalendar, business_calendar
from csflows.models import TouchpointKind
from csflows.retention.policy import Cadence


@dataclass(frozen=True)
class PlannedTouchpoint:
    """A step of one cycle with its due date (the customer's local calendar)."""

    step: str
    kind: TouchpointKind
    due: date
    month: int

    def as_json(self) -> dict[str, str]:
        return {"step": self.step, "kind": self.kind.value, "due": self.due.isoformat()}


def is_business_day(day: date, calendar: BusinessCalendar) -> bool:
    return calendar.is_business_day(day)


def next_business_day(day: date, calendar: BusinessCalendar) -> date:
    """`day` itself when it is a business day, else the first one after it."""
    return calendar.next_business_day(day)


def local_date(instant: datetime, tz: str) -> date:
    """The customer's calendar date at `instant` (an aware datetime)."""
    return _aware(instant).astimezone(ZoneInfo(tz)).date()


def opening(day: date, tz: str, calendar: BusinessCalendar) -> datetime:
    """When business opens on `day` in `tz`, in UTC (09:00 CDT and 09:00 CST differ by an hour)."""
    local = datetime.combine(day, calendar.business_hours.start, tzinfo=ZoneInfo(tz))
    return local.astimezone(UTC)


def is_open(instant: datetime, tz: str, calendar: BusinessCalendar) -> bool:
    """Whether `instant` falls in business hours on a business day in `tz`."""
    local = _aware(instant).astimezone(ZoneInfo(tz))
    hours = calendar.business_hours
    return is_business_day(local.date(), calendar) and hours.start <= local.time() < hours.end


def add_business_hours(
    instant: datetime, hours: float, tz: str, calendar: BusinessCalendar
) -> datetime:
    """The UTC instant `hours` business hours after `instant`, counted in `tz`'s opening hours."""
    zone = ZoneInfo(tz)
    remaining = timedelta(hours=hours)
    cursor = _aware(instant).astimezone(UTC)
    for _ in range(3660):  # ten years of days: a calendar with no business day is a policy error
        day = cursor.astimezone(zone).date()
        if is_business_day(day, calendar):
            start = datetime.combine(day, calendar.business_hours.start, tzinfo=zone)
            end = datetime.combine(day, calendar.business_hours.end, tzinfo=zone)
            begin = max(cursor, start.astimezone(UTC))
            available = end.astimezone(UTC) - begin
            if available > timedelta(0):
                if remaining <= available:
                    return begin + remaining
                remaining -= available
        cursor = datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=zone)
        cursor = cursor.astimezone(UTC)
    raise ValueError("the business calendar has no business day in ten years")


def business_hours_between(
    earlier: datetime, later: datetime, tz: str, calendar: BusinessCalendar
) -> float:
    """Business hours elapsed from `earlier` to `later` in `tz` (0 when `later` is not after)."""
    zone = ZoneInfo(tz)
    total = timedelta(0)
    cursor, stop = _aware(earlier).astimezone(UTC), _aware(later).astimezone(UTC)
    while cursor < stop:
        day = cursor.astimezone(zone).date()
        if is_business_day(day, calendar):
            start = datetime.combine(day, calendar.business_hours.start, tzinfo=zone)
            end = datetime.combine(day, calendar.business_hours.end, tzinfo=zone)
            begin, finish = max(cursor, start.astimezone(UTC)), min(stop, end.astimezone(UTC))
            if finish > begin:
                total += finish - begin
        cursor = datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=zone)
        cursor = cursor.astimezone(UTC)
    return total.total_seconds() / 3600


def plan(
    start: date, cadence: Cadence, calendar: BusinessCalendar | None = None
) -> list[PlannedTouchpoint]:
    """Every step of one cycle begun on `start` (the customer's local date), in due order, on
    `calendar` (the business calendar of `config/calendar.yaml` when none is given)."""
    calendar = business_calendar() if calendar is None else calendar
    planned = [
        PlannedTouchpoint(
            step=step.key,
            kind=step.kind,
            due=calendar.next_business_day(start + timedelta(days=step.day)),
            month=step.month,
        )
        for step in cadence.steps
    ]
    return sorted(planned, key=lambda p: p.due)


def _aware(instant: datetime) -> datetime:
    if instant.tzinfo is None:
        raise ValueError(f"{instant.isoformat()}: a time zone is required (an aware datetime)")
    return instant
