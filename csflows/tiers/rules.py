"""Seed 003's tier rules as pure functions over whole batches: money is in integer cents.

A customer's tier is the highest one whose amount their net purchases (orders minus refunds) over
the trailing window are strictly over; upgrades apply at once, downgrades wait a grace period.
"""

from __future__ import annotations

import calendar
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_FLOOR, Decimal
from itertools import takewhile

from csflows.tiers.policy import TierPolicy


def cents(amount: Decimal | int) -> int:
    return int(Decimal(amount) * 100)


def dollars(amount_cents: int) -> float:
    """For JSON: exact to the cent for any amount a Numeric(14, 2) column holds."""
    return amount_cents / 100


def add_months(day: date, months: int) -> date:
    """`day` moved by whole months, clamped to the month's last day (Mar 31 - 1 month = Feb 28)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def window(as_of: date, months: int) -> tuple[date, date]:
    """First and last day (both included) of the `months` months that end on `as_of`."""
    return add_months(as_of, -months) + timedelta(days=1), as_of


def closing_month_end(today: date) -> date:
    """The monthly evaluation date: the last day of the month before `today`."""
    return today.replace(day=1) - timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Standing:
    """Where a customer's trailing purchases put them; ignores grace periods."""

    customer_id: str
    trailing_cents: int
    tier: str
    next_tier: str | None
    cents_to_next: int | None  # the smallest further net purchase that reaches the next tier
    remind: bool  # within the reminder share of the next tier's amount

    def as_json(self) -> dict[str, object]:
        return {
            "customer_id": self.customer_id,
            "trailing_12m": dollars(self.trailing_cents),
            "tier": self.tier,
            "next_tier": self.next_tier,
            "amount_to_next": None if self.cents_to_next is None else dollars(self.cents_to_next),
            "remind": self.remind,
        }


class TierLadder:
    """The policy's tiers prepared for batches: one binary search per customer."""

    def __init__(self, policy: TierPolicy):
        self.keys = [t.key for t in policy.tiers]
        self.over = [cents(t.over) for t in policy.tiers[1:] if t.over is not None]
        share = policy.reminder_share
        self.remind_gap = [
            int((share * amount).to_integral_value(ROUND_FLOOR)) for amount in self.over
        ]

    def standing(self, customer_id: str, trailing_cents: int) -> Standing:
        reached = bisect_left(self.over, trailing_cents)  # how many amounts it is strictly over
        if reached == len(self.over):
            return Standing(customer_id, trailing_cents, self.keys[reached], None, None, False)
        gap = self.over[reached] - trailing_cents
        return Standing(
            customer_id,
            trailing_cents,
            self.keys[reached],
            self.keys[reached + 1],
            gap + 1,
            gap <= self.remind_gap[reached],
        )

    def standings(self, totals: Iterable[tuple[str, int]]) -> list[Standing]:
        """Every customer's standing from `(customer_id, trailing cents)` pairs."""
        return [self.standing(customer_id, total) for customer_id, total in totals]


def applied_tier(
    computed: str, previous: str, earlier_computed: Sequence[str], policy: TierPolicy
) -> str:
    """The tier to apply this month: upgrades at once; a downgrade only once the customer has been
    below `previous` for more than `grace_months` consecutive evaluations (this one included), and
    then to the highest tier computed in those months. `earlier_computed`: most recent first."""
    rank = policy.rank
    if rank(computed) >= rank(previous):
        return computed
    below = [computed, *takewhile(lambda key: rank(key) < rank(previous), earlier_computed)]
    if len(below) <= policy.grace_months:
        return previous
    return max(below[: policy.grace_months + 1], key=rank)


def in_reminder_band(standing: Standing, applied: str, policy: TierPolicy) -> bool:
    """Close to a tier the customer does not already enjoy (e.g. during a grace period)."""
    return standing.remind and policy.rank(standing.next_tier) > policy.rank(applied)


def should_remind(
    standing: Standing, applied: str, policy: TierPolicy, orders: int, was_in_band: bool
) -> bool:
    """Seed 003's reminder "to how close they are to receiving the rewards": on entering the band
    only (`was_in_band`: at the previous evaluation), of a tier whose rewards are configured, and
    never to a one-time buyer (fewer than `reminder_min_orders` counted orders)."""
    upcoming = policy.tier(standing.next_tier)
    return (
        in_reminder_band(standing, applied, policy)
        and not was_in_band
        and upcoming is not None
        and bool(upcoming.rewards)
        and orders >= policy.reminder_min_orders
    )
