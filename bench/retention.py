"""Retention cadence at scale: customers planned per second, set-based vs the per-customer ORM
path (the baseline, measured in the same run), dispatch task runs per 1,000 customers, peak memory.

    PYTHONPATH=. python bench/retention.py [--customers 100000] [--baseline 2000]
"""

from __future__ import annotations

import argparse
import os
import resource
import tempfile
import time
import tracemalloc
from datetime import UTC, date, datetime
from typing import Any

BATCH = 500


def _customers(count: int, prefix: str, status: str) -> list[str]:
    from sqlalchemy import insert

    from csflows import store
    from csflows.store.tables import CustomerRow

    ids = [f"{prefix}-{n:06d}" for n in range(count)]
    zones = ["America/Chicago", "America/New_York", "America/Phoenix", "America/Los_Angeles"]
    with store.session() as s:
        for begin in range(0, count, 10_000):
            s.execute(
                insert(CustomerRow),
                [
                    {
                        "id": cid,
                        "name": f"Shop {cid}",
                        "email": f"{cid.lower()}@shop.example",
                        "phone": "+1 312 555 0100",
                        "division": "craft_hobby",
                        "level": 2,
                        "sales_agent": ["Dana Ruiz", "Sam Patel", "Lee Chen"][n % 3],
                        "timezone": zones[n % len(zones)],
                        "status": status,
                    }
                    for n, cid in enumerate(ids[begin : begin + 10_000], start=begin)
                ],
            )
    return ids


def per_customer_orm(ids: list[str], start: date) -> None:
    """The baseline: what a task per customer does, one ORM unit of work each."""
    from sqlalchemy import select

    from csflows import store
    from csflows.retention import cadence, plan
    from csflows.store.tables import CustomerRow, TouchpointRow

    policy = cadence()
    for cid in ids:
        with store.session() as s:
            customer = s.get(CustomerRow, cid)
            assert customer is not None
            planned = {
                t
                for t in s.scalars(
                    select(TouchpointRow.step).where(TouchpointRow.customer_id == cid)
                )
            }
            for p in plan(start, policy):
                if p.step not in planned:
                    s.add(
                        TouchpointRow(
                            customer_id=cid, cycle=1, step=p.step, kind=p.kind.value, due=p.due
                        )
                    )
            customer.status = "in_retention"


def _timed(fn: Any, *args: Any) -> tuple[float, Any]:
    began = time.perf_counter()
    result = fn(*args)
    return time.perf_counter() - began, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--baseline", type=int, default=2_000, help="customers for the ORM path")
    args = parser.parse_args()
    os.environ["CSFLOWS_HOME"] = tempfile.mkdtemp(prefix="csflows-bench-")
    os.environ.pop("CSFLOWS_DATABASE_URL", None)

    from csflows import store
    from csflows.retention import cadence, enroll, enroll_ready
    from csflows.retention.dispatch import batches, due_human_ids, due_message_ids

    store.upgrade()
    policy = cadence()
    now = datetime(2026, 3, 2, 18, tzinfo=UTC)  # Monday 10:00 in Los Angeles: open in every US zone
    start = date(2026, 3, 2)
    n, b = args.customers, args.baseline

    base_ids = _customers(b, "B", "ready_for_retention")
    base_seconds, _ = _timed(per_customer_orm, base_ids, start)

    tracemalloc.start()
    _customers(n, "R", "ready_for_retention")
    set_seconds, enrolled = _timed(enroll_ready, now)
    _, peak_set = tracemalloc.get_traced_memory()
    tracemalloc.reset_peak()
    list_ids = _customers(n, "L", "active")
    list_seconds, _ = _timed(enroll, list_ids, start)
    _, peak_list = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert enrolled == n, f"enrolled {enrolled} of {n}"

    query_seconds, due_messages = _timed(due_message_ids, now, policy)
    two_weeks = datetime(2026, 3, 16, 15, tzinfo=UTC)
    due_human = due_human_ids(two_weeks, policy)
    customers_due = 2 * n + b  # R-, L- and B- customers all start on 2 March
    message_runs = len(batches(due_messages, BATCH))
    human_runs = len(batches(due_human, BATCH))
    fixed_runs = 3  # enroll-ready-customers, find-negative-feedback, find-due-touchpoints
    per_task_runs = len(due_messages) + len(due_human)

    rate_base = b / base_seconds
    rate_set = n / set_seconds
    rate_list = n / list_seconds
    print(
        f"customers enrolled (set-based, INSERT ... SELECT):  {n:,} in {set_seconds:.2f} s = {rate_set:,.0f}/s"
    )
    print(
        f"customers enrolled (enroll(ids), chunked bulk):     {n:,} in {list_seconds:.2f} s = {rate_list:,.0f}/s"
    )
    print(
        f"customers enrolled (baseline, ORM per customer):    {b:,} in {base_seconds:.2f} s = {rate_base:,.0f}/s"
    )
    print(
        f"speed-up vs baseline: set-based x{rate_set / rate_base:.1f}, chunked x{rate_list / rate_base:.1f}"
    )
    print(
        f"due-message query over {customers_due:,} customers: {query_seconds * 1000:.0f} ms, {len(due_messages):,} touchpoints"
    )
    runs = fixed_runs + message_runs + human_runs
    print(
        f"dispatch task runs (batches of {BATCH}): {runs:,} for day 0 and day 14 = "
        f"{runs / customers_due * 1000:.2f} per 1,000 customers "
        f"(a task per touchpoint: {per_task_runs / customers_due * 1000:,.0f} per 1,000; x{per_task_runs / max(runs, 1):.0f} fewer)"
    )
    print(
        f"peak traced memory: set-based {peak_set / 2**20:.1f} MiB, chunked {peak_list / 2**20:.1f} MiB; "
        f"max RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB"
    )


if __name__ == "__main__":
    main()
