"""Tiers straight from an orders CSV, without a server or the store (`csflows tiers compute`).

The file is staged exactly as `csflows orders import` stages it (same checks, same errors) in an
in-memory SQLite database, and summed by the same query as the monthly evaluation.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import create_engine

from csflows import orders
from csflows.tiers.policy import TierPolicy
from csflows.tiers.rules import Standing, TierLadder, window
from csflows.tiers.totals import trailing_totals


def standings_from_csv(path: Path, as_of: date, policy: TierPolicy) -> list[Standing]:
    """Every customer in the file, by id: trailing purchases as of `as_of`, tier, next, reminder."""
    engine = create_engine("sqlite://")
    first, last = window(as_of, policy.window_months)
    with engine.begin() as conn:
        orders.stage(conn, path)
        totals = trailing_totals(conn, first, last, policy.counted_statuses, orders=orders.STAGE)
    engine.dispose()
    ladder = TierLadder(policy)
    return ladder.standings(sorted((c, p.trailing_cents) for c, p in totals.items()))
