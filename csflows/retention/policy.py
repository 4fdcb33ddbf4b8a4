"""The cadence policy (`config/cadence.yaml`): steps, escalation, targets. The business calendar
it runs on (weekend, opening hours, holidays) is `config/calendar.yaml`, shared with vetting."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from pydantic import EmailStr, Field, model_validator

from csflows import config
from csflows.models import TouchpointKind
from csflows.models.common import Model
from csflows.people import Person, Role, people

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


class Targets(Model):
    """Seed 002's monthly targets (minimums the team must reach), and what an agent can take."""

    new_accounts_per_month: int = Field(30, ge=0, description="customers won, at least")
    meetings_per_month: int = Field(50, ge=1, description="meetings held, at least")
    meetings_capacity_per_agent: int = Field(
        40, ge=1, description="calls and visits one agent can hold in a month (a forecast)"
    )


class SalesAgent(Model):
    name: str = Field(min_length=1)
    email: EmailStr
    manager_email: EmailStr
    phone: str | None = None


class Dispatch(Model):
    batch_size: int = Field(500, ge=1, le=10_000)


class Cadence(Model):
    """The whole retention policy, validated at load."""

    moved_keys: ClassVar[dict[str, str]] = {
        "calendar": "calendar.yaml (weekend, business_hours; holidays become company_days there)",
        "negative_feedback_visit_within_business_hours": (
            "negative_feedback_visit_within_hours: seed 002 says 'within 48 hours', clock hours"
        ),
        "sales_agents": "people.yaml (role sales_agent, with their manager)",
        "unassigned": "people.yaml (role portfolio)",
    }

    steps: list[CadenceStep] = Field(min_length=1)
    escalate_after_business_hours: float = Field(16, gt=0)
    negative_feedback_visit_within_hours: float = Field(
        48, gt=0, description="clock hours from the feedback, weekend or not (seed 002)"
    )
    visit_minutes: int = Field(60, ge=15, le=480)
    targets: Targets = Targets()
    report_recipients: list[str] = Field(
        min_length=1, description="people of people.yaml (key, name or address)"
    )
    dispatch: Dispatch = Dispatch()

    @model_validator(mode="after")
    def _recipients_are_people(self) -> Cadence:
        team = people()
        for recipient in self.report_recipients:
            if team.find(recipient) is None and "@" not in recipient:
                raise ValueError(f"report_recipients: {recipient!r} is not a person in people.yaml")
        return self

    @property
    def sales_agents(self) -> list[SalesAgent]:
        """The sales agents of people.yaml, each with their manager's address."""
        return [_as_agent(p) for p in people().with_role(Role.SALES_AGENT)]

    @property
    def unassigned(self) -> SalesAgent:
        """Customers with no agent we know: the customer portfolio administration."""
        return _as_agent(people().with_role(Role.PORTFOLIO)[0])

    @property
    def report_addresses(self) -> list[str]:
        team = people()
        return [str(p.email) if (p := team.find(r)) else r for r in self.report_recipients]

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


def _as_agent(person: Person) -> SalesAgent:
    team = people()
    manager = team.find(person.manager or "") or person
    return SalesAgent(
        name=person.name, email=person.email, manager_email=manager.email, phone=person.phone
    )


def cadence(path: Path | None = None) -> Cadence:
    """The policy from `config/cadence.yaml` (re-read when the file changes)."""
    return config.load("cadence", Cadence, path)
