"""The tiered-service policy in `config/tiers.yaml` (seed 003), validated at load."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any, ClassVar

from pydantic import Field, field_validator

from csflows import config
from csflows.divisions import divisions
from csflows.models import Division
from csflows.models.common import Model, Money
from csflows.models.order import OrderStatus
from csflows.people import people


class Tier(Model):
    """A service tier: the base one (no `over`) or one reached by purchases over `over`."""

    key: str = Field(pattern=r"^[a-z0-9_]+$")
    name: str = Field(min_length=1)
    over: Money | None = Field(None, ge=0, description="net purchases must be strictly over this")
    extras: list[str] = Field(
        default_factory=list, description="what the tier adds to base service (for sales agents)"
    )
    rewards: list[str] = Field(
        default_factory=list,
        description="what a customer over `over` receives, as the reminder tells the customer",
    )
    tickets_to: str | None = Field(
        None,
        description="a person of people.yaml: this tier's customers' tickets that would go to "
        "the shared Customer Service queue go to them, and stand first in the review queue and "
        "the digest (seed 003's 'extra special service')",
    )

    @property
    def first(self) -> bool:
        """Its customers' tickets stand first wherever CS works through a queue."""
        return self.tickets_to is not None


class TierPolicy(Model):
    """Tiers lowest first, the window, grace period, reminder share and Level-4 suggestion lines."""

    moved_keys: ClassVar[dict[str, str]] = {
        "sales_agents": "people.yaml (role sales_agent): agents are people, named once"
    }

    window_months: int = Field(12, ge=1, le=36)
    grace_months: int = Field(3, ge=0, le=24)
    reminder_share: Decimal = Field(Decimal("0.10"), ge=0, lt=1)
    reminder_min_orders: int = Field(
        2, ge=1, description="fewer counted orders than this: a one-time buyer, never reminded"
    )
    counted_statuses: list[str] = Field(
        default_factory=lambda: [str(OrderStatus.ACCEPTED)], min_length=1
    )
    tiers: list[Tier] = Field(min_length=1)
    level4_below: dict[str, Money] = Field(
        default_factory=dict,
        description="per division key: an amount, or the name of one of the division's minimums "
        "in divisions.yaml (e.g. annual_credit_card), so a figure the seeds give is written once",
    )
    sales_team: str | None = Field(
        None, description="a person of people.yaml (or an address) for agents nobody knows"
    )

    @field_validator("tiers")
    @classmethod
    def _thresholds_increase(cls, tiers: list[Tier]) -> list[Tier]:
        if tiers[0].over is not None:
            raise ValueError(
                f"the first tier ({tiers[0].key}) is base service for everyone: remove its `over` "
                f"(got {tiers[0].over})"
            )
        for lower, upper in zip(tiers, tiers[1:], strict=False):
            if upper.over is None:
                raise ValueError(f"tier {upper.key} needs `over` (only the first tier has none)")
            if lower.over is not None and upper.over <= lower.over:
                raise ValueError(
                    f"tier amounts must increase: {upper.key} over {upper.over} is not above "
                    f"{lower.key} over {lower.over}"
                )
        keys = [t.key for t in tiers]
        if len(set(keys)) != len(keys):
            raise ValueError(f"tier keys must be unique (got {keys})")
        return tiers

    @field_validator("tiers")
    @classmethod
    def _known_people(cls, tiers: list[Tier]) -> list[Tier]:
        team = people()
        for tier in tiers:
            if tier.tickets_to and team.find(tier.tickets_to) is None:
                raise ValueError(
                    f"{tier.key}: tickets_to {tier.tickets_to!r} is nobody of people.yaml"
                )
        if tiers[0].tickets_to:
            raise ValueError(
                f"the first tier ({tiers[0].key}) is base service for everyone: it sends nobody's "
                "tickets elsewhere (remove its tickets_to)"
            )
        return tiers

    @field_validator("level4_below", mode="before")
    @classmethod
    def _division_lines(cls, lines: Any) -> Any:
        """Lines of known divisions; one that names a minimum of the division is that figure."""
        if not isinstance(lines, dict):
            return lines
        catalog = divisions()
        known = catalog.keys()
        for key, line in lines.items():
            if key not in known:
                raise ValueError(
                    f"unknown division key {key!r} (amount {line}); known: {', '.join(known)}"
                )
        return {key: _minimum(catalog.get(key), line) for key, line in lines.items()}

    @field_validator("level4_below")
    @classmethod
    def _not_negative(cls, lines: dict[str, Decimal]) -> dict[str, Decimal]:
        for key, amount in lines.items():
            if amount < 0:
                raise ValueError(f"{key}: the Level-4 line must not be negative (got {amount})")
        return lines

    @property
    def base(self) -> Tier:
        return self.tiers[0]

    def tier(self, key: str | None) -> Tier | None:
        return next((t for t in self.tiers if t.key == key), None)

    def rank(self, key: str | None) -> int:
        """0 for base service; unknown or missing keys count as base (a tier since removed)."""
        for index, tier in enumerate(self.tiers):
            if tier.key == key:
                return index
        return 0

    def sales_agent_address(self, sales_agent: str) -> str | None:
        """The agent's address: the CRM value if it is one, else the map, else the sales team."""
        agent = sales_agent.strip()
        if "@" in agent:
            return agent
        team = people()
        person = team.find(agent) if agent else None
        if person is None and self.sales_team:
            person = team.find(self.sales_team)
            return str(person.email) if person else self.sales_team
        return str(person.email) if person else None


MINIMUM_FIGURES = ("order_amount", "annual_credit_card", "annual_terms")  # Minimums' amounts


def _minimum(division: Division, line: Any) -> Any:
    """`line`, or the division's minimum it names (`annual_credit_card`) when it names one."""
    if line not in MINIMUM_FIGURES:
        return line
    figure = getattr(division.minimums, line)
    if figure is None:
        raise ValueError(f"{division.key}: divisions.yaml gives no minimums.{line}")
    return figure


def tier_policy(path: Path | None = None) -> TierPolicy:
    """`config/tiers.yaml` (re-read when it, divisions.yaml or people.yaml changes: a Level-4 line
    may name a division's minimum, a tier the person its tickets go to); PolicyError names file,
    key and value."""
    return config.load("tiers", TierPolicy, path, reads=("divisions", "people"))
