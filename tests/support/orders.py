"""A large, reproducible order history for scale tests and benchmarks (refunds included)."""

from __future__ import annotations

import csv
import random
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path


def customer_ids(count: int) -> list[str]:
    return [f"C-{n:06d}" for n in range(1, count + 1)]


def write_orders(
    path: Path, customers: int, orders: int, as_of: date, first: date, seed: int = 8
) -> dict[str, int]:
    """Write `orders` rows for `customers` customers over the two years up to `as_of` (and a
    month after it); return each customer's net cents from `first` to `as_of`, summed here."""
    rng = random.Random(seed)
    ids = customer_ids(customers)
    start = as_of - timedelta(days=730)
    span = (as_of - start).days + 31
    expected: dict[str, int] = defaultdict(int)
    with path.open("w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["customer_id", "order_date", "amount", "po_number"])
        for number in range(orders):
            index = rng.randrange(customers)
            customer = ids[index]
            big = index % 50 == 0  # a few customers buy enough for the top tier
            amount = rng.randrange(100, 3_000_000 if big else 500_000)
            if rng.random() < 0.05:
                amount = -amount // 4  # a refund
            day = start + timedelta(days=rng.randrange(span))
            out.writerow([customer, day.isoformat(), f"{amount / 100:.2f}", f"PO-{number}"])
            if first <= day <= as_of:
                expected[customer] += amount
    return expected
