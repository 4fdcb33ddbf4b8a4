"""The business calendar (`config/calendar.yaml`), one for approvals and retention alike: the
business's time zone, weekend days, opening hours, and the days it is closed (the country's
public holidays from the `holidays` package, less those it works, plus its own company days)."""

from __future__ import annotations

from collections.abc import Container, Iterable
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import ClassVar, Literal
from zoneinfo import ZoneInfo

import holidays as public_holidays
from pydantic import Field, PrivateAttr, ValidationInfo, field_validator, model_validator

from csflows import config
from csflows.models.common import Model, TimeZoneName

DAY_SECONDS = 86400.0
SATURDAY_SUNDAY = frozenset({5, 6})
OBSERVED = " (observed)"

Weekday = Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
WEEKDAYS: tuple[Weekday, ...] = (
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
)


class BusinessHours(Model):
    start: time
    end: time

    @model_validator(mode="after")
    def _ordered(self) -> BusinessHours:
        if self.end <= self.start:
            raise ValueError(f"end {self.end} must be after start {self.start}")
        return self

    @property
    def hours(self) -> float:
        return (
            self.end.hour * 60 + self.end.minute - self.start.hour * 60 - self.start.minute
        ) / 60


class BusinessCalendar(Model):
    """When the business works. Dates of a customer's touchpoints are read in the customer's
    time zone; the approval wait is counted in `timezone`, the business's own."""

    moved_keys: ClassVar[dict[str, str]] = {
        "holidays": "company_days (public holidays come from the `holidays` package for country)"
    }

    timezone: TimeZoneName
    weekend: list[Weekday] = Field(default_factory=lambda: list(WEEKDAYS[5:]), max_length=6)
    business_hours: BusinessHours = BusinessHours(start=time(9), end=time(17))
    country: str = Field(pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2, e.g. US")
    subdivision: str | None = Field(None, description="state or province code, e.g. IL")
    open_on: list[str] = Field(
        default_factory=list, description="public holidays the business works, by their name"
    )
    company_days: list[date] = Field(
        default_factory=list, description="closures of the business's own, on top of holidays"
    )
    _public: public_holidays.HolidayBase = PrivateAttr()

    @field_validator("country")
    @classmethod
    def _known_country(cls, country: str) -> str:
        _public_holidays(country, None, years=())
        return country

    @field_validator("subdivision")
    @classmethod
    def _known_subdivision(cls, subdivision: str | None, info: ValidationInfo) -> str | None:
        if subdivision and "country" in info.data:
            _public_holidays(info.data["country"], subdivision, years=())
        return subdivision

    @field_validator("open_on")
    @classmethod
    def _known_holiday_names(cls, names: list[str], info: ValidationInfo) -> list[str]:
        if "country" not in info.data or "subdivision" not in info.data:
            return names  # the country or subdivision is wrong: that error is the one to read
        country, subdivision = info.data["country"], info.data["subdivision"]
        this_year = date.today().year
        years = range(this_year - 1, this_year + 2)
        known = {_base_name(n) for n in _public_holidays(country, subdivision, years).values()}
        unknown = sorted(set(names) - known)
        if unknown:
            raise ValueError(
                f"no public holiday of {country} is called {', '.join(unknown)}; "
                f"known: {', '.join(sorted(known))}"
            )
        return names

    @model_validator(mode="after")
    def _fill_public_holidays(self) -> BusinessCalendar:
        this_year = date.today().year  # years around today filled now, others when asked for
        years = range(this_year - 5, this_year + 11)
        self._public = _public_holidays(self.country, self.subdivision, years)
        return self

    @property
    def weekend_numbers(self) -> frozenset[int]:
        return frozenset(WEEKDAYS.index(day) for day in self.weekend)

    @property
    def holidays(self) -> Container[date]:
        """Every day the business is closed other than its weekend (`day in calendar.holidays`)."""
        return _Closed(self)

    def is_holiday(self, day: date) -> bool:
        """A company day, or a public holiday (or the day it is observed) not in `open_on`."""
        if day in self.company_days:
            return True
        names = self._public.get_list(day)
        return any(_base_name(name) not in self.open_on for name in names)

    def is_business_day(self, day: date) -> bool:
        return is_business_day(day, self.holidays, self.weekend_numbers)

    def next_business_day(self, day: date) -> date:
        """`day` itself when it is a business day, else the first one after it."""
        for _ in range(3660):  # ten years: a calendar with no business day is a policy error
            if self.is_business_day(day):
                return day
            day += timedelta(days=1)
        raise ValueError("the business calendar has no business day in ten years")

    def business_days_between(self, start: datetime, end: datetime) -> float:
        """Business days (fractional) from `start` to `end` in the business's time zone."""
        return business_days_between(start, end, self.timezone, self.holidays, self.weekend_numbers)


class _Closed(Container[date]):
    """The calendar's closed days as a container, for functions that take a holiday list."""

    def __init__(self, calendar: BusinessCalendar) -> None:
        self._calendar = calendar

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self._calendar.is_holiday(day)


def _public_holidays(
    country: str, subdivision: str | None, years: Iterable[int]
) -> public_holidays.HolidayBase:
    try:
        return public_holidays.country_holidays(country, subdiv=subdivision, years=years)
    except NotImplementedError as exc:
        raise ValueError(f"no public holidays known for {country}: {exc}") from exc


def _base_name(name: str) -> str:
    return name.removesuffix(OBSERVED).strip()


def business_calendar(path: Path | None = None) -> BusinessCalendar:
    """`config/calendar.yaml` (re-read when the file changes)."""
    return config.load("calendar", BusinessCalendar, path)


def is_business_day(
    day: date, holidays: Container[date] = (), weekend: frozenset[int] = SATURDAY_SUNDAY
) -> bool:
    """Not a weekend day (0 = Monday) and not a holiday: the one rule vetting and retention share."""
    return day.weekday() not in weekend and day not in holidays


def business_days_between(
    start: datetime,
    end: datetime,
    timezone: str,
    holidays: Container[date] = (),
    weekend: frozenset[int] = SATURDAY_SUNDAY,
) -> float:
    """Business days (fractional) from `start` to `end`: weekend and holiday hours do not count."""
    if end <= start:
        return 0.0
    tz = ZoneInfo(timezone)
    start, end = start.astimezone(tz), end.astimezone(tz)
    seconds = 0.0
    day = start.date()
    while day <= end.date():
        if is_business_day(day, holidays, weekend):
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
