"""The monthly evaluation in the store, a range of customers at a time (set-based, no per-customer
queries): sums purchases, applies the grace period from `tier_history`, writes history and
`customers.tier`, and returns what people must hear about (changes, reminders, Level-4 lines)."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date
from decimal import Decimal

from pydantic import Field
from sqlalchemy import ColumnElement, delete, func, insert, select, update
from sqlalchemy.orm import InstrumentedAttribute, Session

from csflows import store
from csflows.models.common import Model
from csflows.store.tables import CustomerRow, TierHistoryRow
from csflows.tiers.level4 import suggests_level4
from csflows.tiers.policy import TierPolicy
from csflows.tiers.rules import (
    TierLadder,
    applied_tier,
    cents,
    dollars,
    in_reminder_band,
    should_remind,
    window,
)
from csflows.tiers.totals import trailing_totals


class TierResult(Model):
    """One customer's evaluation, as the notices and artifacts need it."""

    customer_id: str
    name: str
    email: str
    division: str
    level: int
    sales_agent: str
    trailing_12m: float
    computed_tier: str
    previous_tier: str
    tier: str
    next_tier: str | None = None
    amount_to_next: float | None = None


class RangeOutcome(Model):
    """What one batch of customers came to; only the rows someone must act on are kept."""

    evaluated: int = 0
    tiers: dict[str, int] = Field(default_factory=dict)
    changes: list[TierResult] = Field(default_factory=list)
    reminders: list[TierResult] = Field(default_factory=list)
    level4: list[TierResult] = Field(default_factory=list)


def customer_ranges(size: int) -> list[tuple[str, str]]:
    """Customer ids in batches of `size`, each as an inclusive (first id, last id) range."""
    with store.session() as s:
        ids = list(s.scalars(select(CustomerRow.id).order_by(CustomerRow.id)))
    return [(ids[i], ids[min(i + size, len(ids)) - 1]) for i in range(0, len(ids), size)]


def _in_range(
    column: InstrumentedAttribute[str], customer_range: tuple[str, str]
) -> ColumnElement[bool]:
    return column.between(*customer_range)


def _recent_history(
    s: Session, customer_range: tuple[str, str], as_of: date, depth: int
) -> dict[str, list[tuple[str, str, Decimal]]]:
    """Each customer's last `depth` evaluations before `as_of`: (computed, applied, trailing),
    newest first."""
    newest = (
        func.row_number()
        .over(partition_by=TierHistoryRow.customer_id, order_by=TierHistoryRow.as_of.desc())
        .label("newest")
    )
    ranked = (
        select(
            TierHistoryRow.customer_id,
            TierHistoryRow.computed_tier,
            TierHistoryRow.tier,
            TierHistoryRow.trailing_12m,
            TierHistoryRow.as_of,
            newest,
        )
        .where(TierHistoryRow.as_of < as_of, _in_range(TierHistoryRow.customer_id, customer_range))
        .subquery()
    )
    rows = s.execute(
        select(ranked.c.customer_id, ranked.c.computed_tier, ranked.c.tier, ranked.c.trailing_12m)
        .where(ranked.c.newest <= depth)
        .order_by(ranked.c.customer_id, ranked.c.as_of.desc())
    )
    history: dict[str, list[tuple[str, str, Decimal]]] = defaultdict(list)
    for customer_id, computed, applied, trailing in rows:
        history[customer_id].append((computed, applied, trailing))
    return history


def evaluate_range(
    customer_range: tuple[str, str], as_of: date, policy: TierPolicy
) -> RangeOutcome:
    """Evaluate the customers in `customer_range` as of `as_of`; re-running the month rewrites the
    month's history the same way (the previous tier comes from earlier months only)."""
    first, last = window(as_of, policy.window_months)
    ladder = TierLadder(policy)
    outcome = RangeOutcome()
    counts: Counter[str] = Counter()
    history_rows, tier_updates = [], []
    with store.session() as s:
        customers = s.execute(
            select(
                CustomerRow.id,
                CustomerRow.name,
                CustomerRow.email,
                CustomerRow.division,
                CustomerRow.level,
                CustomerRow.sales_agent,
                CustomerRow.tier,
            ).where(_in_range(CustomerRow.id, customer_range))
        ).all()
        purchases = trailing_totals(
            s.connection(), first, last, policy.counted_statuses, customer_range
        )
        history = _recent_history(s, customer_range, as_of, max(policy.grace_months, 1))
        for customer_id, name, email, division, level, agent, current in customers:
            bought = purchases.get(customer_id)
            standing = ladder.standing(customer_id, bought.trailing_cents if bought else 0)
            past = history.get(customer_id, [])
            previous = past[0][1] if past else policy.base.key
            tier = applied_tier(standing.tier, previous, [c for c, _, _ in past], policy)
            counts[tier] += 1
            history_rows.append(
                {
                    "customer_id": customer_id,
                    "as_of": as_of,
                    "trailing_12m": dollars(standing.trailing_cents),
                    "computed_tier": standing.tier,
                    "tier": tier,
                    "changed": tier != previous,
                }
            )
            if tier != current:
                tier_updates.append({"id": customer_id, "tier": tier})
            result = TierResult(
                customer_id=customer_id,
                name=name,
                email=email,
                division=division,
                level=level,
                sales_agent=agent,
                trailing_12m=dollars(standing.trailing_cents),
                computed_tier=standing.tier,
                previous_tier=previous,
                tier=tier,
                next_tier=standing.next_tier,
                amount_to_next=None
                if standing.cents_to_next is None
                else dollars(standing.cents_to_next),
            )
            if tier != previous:
                outcome.changes.append(result)
            was_in_band = bool(past) and in_reminder_band(
                ladder.standing(customer_id, cents(past[0][2])), previous, policy
            )
            if should_remind(standing, tier, policy, bought.orders if bought else 0, was_in_band):
                outcome.reminders.append(result)
            if suggests_level4(
                division,
                level,
                standing.trailing_cents,
                bought.first_order if bought else None,
                first,
                policy.level4_below,
            ):
                outcome.level4.append(result)
        s.execute(
            delete(TierHistoryRow).where(
                TierHistoryRow.as_of == as_of, _in_range(TierHistoryRow.customer_id, customer_range)
            )
        )
        if history_rows:
            s.execute(insert(TierHistoryRow), history_rows)
        if tier_updates:
            s.execute(update(CustomerRow), tier_updates)
    outcome.evaluated = len(customers)
    outcome.tiers = dict(counts)
    return outcome
