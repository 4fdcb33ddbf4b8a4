"""Tier evaluation throughput: orders processed per second, batched vs per customer.

    PYTHONPATH=. python bench/tiers.py [--customers 100000] [--orders 1000000] [--sample 2000]

Each phase runs in its own process, so its peak memory (max RSS) is its own. The baseline is
measured in the same run: one query per customer (what a task per customer would do, without
Prefect's own overhead), timed on a sample of customers and reported per order it covered.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

AS_OF = date(2026, 10, 31)


def _phase(name: str, work: Path, customers: int, sample: int) -> dict[str, Any]:
    """One measured phase, in this (child) process."""
    from sqlalchemy import func, insert, select

    from csflows import orders, store
    from csflows.store.tables import CustomerRow, OrderRow
    from csflows.tiers import TierLadder, tier_policy, window
    from csflows.tiers.evaluation import customer_ranges, evaluate_range
    from csflows.tiers.from_file import standings_from_csv
    from csflows.tiers.totals import trailing_totals
    from tests.support.orders import customer_ids

    policy = tier_policy()
    first, last = window(AS_OF, policy.window_months)
    csv_path = work / "orders.csv"
    start = time.perf_counter()
    result: dict[str, Any] = {}
    if name == "imports-only":
        pass
    elif name == "file":
        result["customers"] = len(standings_from_csv(csv_path, AS_OF, policy))
    elif name == "import":
        store.upgrade()
        with store.session() as s:
            s.execute(
                insert(CustomerRow),
                [
                    {"id": c, "name": c, "email": "x@example.com", "division": "sulyn", "level": 2}
                    for c in customer_ids(customers)
                ],
            )
        start = time.perf_counter()
        result["orders"] = orders.import_csv(csv_path)
    elif name == "group-by":
        with store.session() as s:
            totals = trailing_totals(s.connection(), first, last, policy.counted_statuses)
        TierLadder(policy).standings((c, p.trailing_cents) for c, p in totals.items())
        result["customers"] = len(totals)
    elif name == "per-customer":
        ladder = TierLadder(policy)
        chosen = random.Random(1).sample(customer_ids(customers), sample)
        counted = 0
        with store.session() as s:
            for customer_id in chosen:  # the naive way: one query per customer
                total, n = s.execute(
                    select(func.coalesce(func.sum(OrderRow.amount), 0), func.count())
                    .where(OrderRow.customer_id == customer_id)
                    .where(OrderRow.order_date.between(first, last))
                ).one()
                ladder.standing(customer_id, int(round(total * 100)))
                counted += n
            result["orders_in_window"] = counted
            result["orders_in_store_for_sample"] = s.scalar(
                select(func.count()).where(OrderRow.customer_id.in_(chosen))
            )
    elif name == "monthly":
        outcomes = [evaluate_range(r, AS_OF, policy) for r in customer_ranges(5_000)]
        result["customers"] = sum(o.evaluated for o in outcomes)
    result["seconds"] = time.perf_counter() - start
    result["max_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return result


def _run(name: str, work: Path, args: argparse.Namespace) -> dict[str, Any]:
    env = os.environ | {"CSFLOWS_HOME": str(work / "home")}
    command = [sys.executable, __file__, "--phase", name, "--work", str(work)]
    command += ["--customers", str(args.customers), "--sample", str(args.sample)]
    done = subprocess.run(command, env=env, check=True, capture_output=True, text=True)
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--sample", type=int, default=2_000, help="customers timed one by one")
    parser.add_argument("--phase")
    parser.add_argument("--work", type=Path)
    args = parser.parse_args()
    if args.phase:
        print(json.dumps(_phase(args.phase, args.work, args.customers, args.sample)))
        return

    from csflows.tiers import window
    from tests.support.orders import write_orders

    with tempfile.TemporaryDirectory(prefix="bench-tiers-") as folder:
        work = Path(folder)
        write_orders(work / "orders.csv", args.customers, args.orders, AS_OF, window(AS_OF, 12)[0])
        print(f"{args.customers:,} customers, {args.orders:,} orders, as of {AS_OF}")
        base = _run("imports-only", work, args)["max_rss_mb"]
        print(f"  (a process with csflows imported: {base:,.0f} MB)")
        rates = {}
        for name, label in [
            ("file", "tiers compute from the CSV (stage + one GROUP BY)"),
            ("import", "orders import into the store (stage + upsert)"),
            ("group-by", "store: one GROUP BY for every customer"),
            ("per-customer", "store: one query per customer (baseline)"),
            ("monthly", "store: monthly evaluation, batches of 5,000"),
        ]:
            got = _run(name, work, args)
            covered = args.orders
            if name == "per-customer":  # the sample's orders, scaled to the whole history
                covered = got["orders_in_store_for_sample"]
            rates[name] = covered / got["seconds"]
            print(
                f"  {label:<52} {rates[name]:>12,.0f} orders/s  "
                f"{got['seconds']:>7.1f} s  peak {got['max_rss_mb']:,.0f} MB"
            )
        print(
            f"  batched GROUP BY vs one query per customer: {rates['group-by'] / rates['per-customer']:.1f}x; "
            f"monthly evaluation (with history writes) vs baseline: "
            f"{rates['monthly'] / rates['per-customer']:.1f}x"
        )


if __name__ == "__main__":
    main()
