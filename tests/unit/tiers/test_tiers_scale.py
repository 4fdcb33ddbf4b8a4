"""100,000 customers with a million orders, computed in one batch (a file) and in the store's
monthly evaluation (batches of 5,000): sums checked against the generator on sampled customers."""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import insert, select

from csflows import orders, store
from csflows.store.tables import CustomerRow, TierHistoryRow
from csflows.tiers import TierLadder, tier_policy, window
from csflows.tiers.evaluation import customer_ranges, evaluate_range
from csflows.tiers.from_file import standings_from_csv
from tests.support.orders import customer_ids, write_orders

pytestmark = pytest.mark.slow

CUSTOMERS, ORDERS = 100_000, 1_000_000
AS_OF = date(2026, 10, 31)


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    path = tmp_path_factory.mktemp("orders") / "orders.csv"
    first, _ = window(AS_OF, 12)
    return path, write_orders(path, CUSTOMERS, ORDERS, AS_OF, first)


def _sample() -> list[str]:
    return random.Random(3).sample(customer_ids(CUSTOMERS), 2_000)


def test_a_million_orders_from_a_file(history: tuple[Path, dict[str, int]]) -> None:
    path, expected = history
    policy = tier_policy()
    standings = {s.customer_id: s for s in standings_from_csv(path, AS_OF, policy)}
    assert len(standings) > 0.99 * CUSTOMERS
    ladder = TierLadder(policy)
    for customer_id in _sample():
        if customer_id in standings:
            got = standings[customer_id]
            assert got.trailing_cents == expected.get(customer_id, 0), customer_id
            assert got.tier == ladder.standing(customer_id, expected.get(customer_id, 0)).tier
    top = {c for c, cents in expected.items() if cents > 100_000_00}
    assert top and {c for c, s in standings.items() if s.tier == "extra_special"} == top


def test_a_million_orders_in_the_monthly_evaluation(
    history: tuple[Path, dict[str, int]], store_ready: Path
) -> None:
    path, expected = history
    with store.session() as s:
        s.execute(
            insert(CustomerRow),
            [
                {
                    "id": c,
                    "name": c,
                    "email": f"{c.lower()}@example.com",
                    "division": "sulyn",
                    "level": 2,
                }
                for c in customer_ids(CUSTOMERS)
            ],
        )
    assert orders.import_csv(path) == ORDERS
    policy = tier_policy()
    ranges = customer_ranges(5_000)
    assert len(ranges) == 20
    outcomes = [evaluate_range(r, AS_OF, policy) for r in ranges]
    assert sum(o.evaluated for o in outcomes) == CUSTOMERS
    top = {c for c, cents in expected.items() if cents > 100_000_00}
    assert {r.customer_id for o in outcomes for r in o.changes} == top  # first run: all upgrades
    sample = _sample()
    with store.session() as s:
        rows = s.execute(
            select(
                TierHistoryRow.customer_id, TierHistoryRow.trailing_12m, TierHistoryRow.tier
            ).where(TierHistoryRow.customer_id.in_(sample[:500]))
        ).all()
        tiers = dict(s.execute(select(CustomerRow.id, CustomerRow.tier)).tuples().all())
    assert len(rows) == 500
    for customer_id, trailing, tier in rows:
        assert int(trailing * 100) == expected.get(customer_id, 0), customer_id
        assert tier == tiers[customer_id] == ("extra_special" if customer_id in top else "standard")
