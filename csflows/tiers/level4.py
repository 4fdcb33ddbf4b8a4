"""Seed 000's customer rationalization: which customers' purchases put them at Level 4.

Only a suggestion for a supervisor to confirm: nothing here changes a customer's level.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from csflows import store
from csflows.store.tables import CustomerRow
from csflows.tiers.policy import TierPolicy
from csflows.tiers.rules import cents, dollars, window
from csflows.tiers.totals import trailing_totals


def suggests_level4(
    division: str,
    level: int,
    trailing_cents: int,
    first_order: date | None,
    window_first: date,
    level4_below: dict[str, Decimal],
) -> bool:
    """Below the division's Level-4 line over a full window of history, and not Level 4 yet.

    A division without a line gets no suggestions; a customer whose first order falls inside the
    window has not had a full window to buy, so it is not judged yet.
    """
    line = level4_below.get(division)
    if line is None or level >= 4:
        return False
    if first_order is None or first_order >= window_first:
        return False
    return trailing_cents < cents(line)


@dataclass(frozen=True, slots=True)
class Level4Suggestion:
    """A customer a supervisor may move to Level 4 (seed 000), with the figures behind it."""

    customer_id: str
    name: str
    division: str
    level: int
    trailing_12m: float
    level4_below: float

    def as_json(self) -> dict[str, object]:
        return asdict(self)


def level4_suggestions(as_of: date, policy: TierPolicy) -> list[Level4Suggestion]:
    """Every customer the store's orders put below their division's Level-4 line (read only)."""
    first, last = window(as_of, policy.window_months)
    with store.session() as s:
        purchases = trailing_totals(s.connection(), first, last, policy.counted_statuses)
        customers = s.execute(
            select(CustomerRow.id, CustomerRow.name, CustomerRow.division, CustomerRow.level)
            .where(CustomerRow.division.in_(list(policy.level4_below)))
            .order_by(CustomerRow.id)
        ).all()
    found = []
    for customer_id, name, division, level in customers:
        bought = purchases.get(customer_id)
        total = bought.trailing_cents if bought else 0
        if suggests_level4(
            division,
            level,
            total,
            bought.first_order if bought else None,
            first,
            policy.level4_below,
        ):
            line = float(policy.level4_below[division])
            found.append(Level4Suggestion(customer_id, name, division, level, dollars(total), line))
    return found
