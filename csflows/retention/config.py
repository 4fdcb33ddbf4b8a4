"""The cadence policy (`config/cadence.yaml`): steps, business calendar, escalation, targets."""

from __future__ import annotations

from datetime import date, time
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import EmailStr, Field, model_validator

from csflows.errors import PolicyError
from csflows.models import TouchpointKind
from csflows.models.common import Model
from csflows.paths import config_dir
from csflows.policy import load_yaml_model

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
HUMAN_KINDS = frozenset({TouchpointKind.CALL, TouchpointKind.VISIT})
MESSAGE_KINDS = frozenset({TouchpointKind.SMS, TouchpointKind.EMAIL})


class CadenceStep(Model):
    """One touchpoint of the cadence: `day` calendar days after enrollment."""

    key: str = Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=60)
    month: int = Field(ge=1, le=3)
    day: int = Field(ge=0, le=120)
    kind: TouchpointKind
    template: str | None = None
    feedback: bool = False

    @model_validator(mode="after")
    def _messages_have_templates(self) -> CadenceStep:
        if self.kind in MESSAGE_KINDS and not self.template:
            raise ValueError(f"an {self.kind.value} step needs a template")
        return self


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
    """Weekends, holidays and opening hours; dates are read in the customer's time zone."""

    weekend: list[Weekday] = Field(default_factory=lambda: list(WEEKDAYS[5:]), max_length=6)
    business_hours: BusinessHours = BusinessHours(start=time(9), end=time(17))
    holidays: list[date] = Field(default_factory=list)

    @property
    def weekend_numbers(self) -> frozenset[int]:
        return frozenset(WEEKDAYS.index(day) for day in self.weekend)


class Targets(Model):
    new_accounts_per_month: int = Field(30, ge=0)
    meetings_per_month: int = Field(50, ge=1, description="also each agent's meeting capacity")


class SalesAgent(Model):
    name: str = Field(min_length=1)
    email: EmailStr
    manager_email: EmailStr


class Dispatch(Model):
    batch_size: int = Field(500, ge=1, le=10_000)


class Cadence(Model):
    """The whole retention policy, validated at load."""

    steps: list[CadenceStep] = Field(min_length=1)
    calendar: BusinessCalendar = BusinessCalendar()
    escalate_after_business_hours: float = Field(16, gt=0)
    negative_feedback_visit_within_business_hours: float = Field(48, gt=0)
    visit_minutes: int = Field(60, ge=15, le=480)
    targets: Targets = Targets()
    sales_agents: list[SalesAgent] = Field(default_factory=list)
    unassigned: SalesAgent
    report_recipients: list[EmailStr] = Field(min_length=1)
    dispatch: Dispatch = Dispatch()

    @model_validator(mode="after")
    def _unique_keys(self) -> Cadence:
        keys = [s.key for s in self.steps]
        repeated = sorted({k for k in keys if keys.count(k) > 1})
        if repeated:
            raise ValueError(f"step keys must be unique; repeated: {', '.join(repeated)}")
        return self

    def agent(self, name: str | None) -> SalesAgent:
        """The sales agent named `name`, or the portfolio administration when nobody is."""
        wanted = (name or "").strip().casefold()
        for agent in self.sales_agents:
            if agent.name.casefold() == wanted:
                return agent
        return self.unassigned


@lru_cache(maxsize=8)
def _cadence_at(path: Path, mtime: float) -> Cadence:
    return load_yaml_model(path, Cadence)


def cadence(path: Path | None = None) -> Cadence:
    """The policy from `config/cadence.yaml` (re-read when the file changes)."""
    path = path or config_dir() / "cadence.yaml"
    try:
        mtime = path.stat().st_mtime
    except FileNotFoundError as exc:
        raise PolicyError(f"{path}: file not found") from exc
    return _cadence_at(path, mtime)
