"""Tiers straight from an orders CSV, without a server or the store (`csflows tiers compute`).

The file is loaded exactly as `csflows orders import` loads it (same checks, same errors) into an
in-memory SQLite store, and summed by the same query as the monthly evaluation.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import create_engine

from csflows import orders
from csflows.store.tables import OrderRow
from csflows.tiers.policy import TierPolicy
from csflows.tiers.rules import Standing, TierLadder, window
from csflows.tiers.totals import trailing_totals


def standings_from_csv(path: Path, as_of: date, policy: TierPolicy) -> list[Standing]:
    """Every customer in the file, by id: trailing purchases as of `as_of`, tier, next, reminder."""
    engine = create_engine("sqlite://")
    OrderRow.__table__.create(engine)  # type: ignore[attr-defined]
    first, last = window(as_of, policy.window_months)
    with engine.begin() as conn:
        orders.stage(conn, path)
        orders.merge_staged(conn)
        totals = trailing_totals(conn, first, last, policy.counted_statuses)
    engine.dispose()
    ladder = TierLadder(policy)
    return ladder.standings(sorted((c, p.trailing_cents) for c, p in totals.items()))
