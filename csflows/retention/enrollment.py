"""Enrollment in the cadence, set-based: one INSERT ... SELECT per step and time zone, or chunked
bulk inserts for a list of customers; never a query per customer."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import Subquery, Table, exists, func, literal, select, true, union_all, update
from sqlalchemy.orm import Session

from csflows import store
from csflows.errors import CustomerNotFound
from csflows.models import CustomerStatus, TouchpointStatus
from csflows.retention.plan import PlannedTouchpoint, local_date, plan
from csflows.retention.policy import Cadence, cadence
from csflows.store.tables import CustomerRow, TouchpointRow

OPEN = (TouchpointStatus.PENDING, TouchpointStatus.ASSIGNED, TouchpointStatus.ESCALATED)
CHUNK = 1000
_COLUMNS = ["customer_id", "cycle", "step", "kind", "due", "status", "notes"]


def chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for begin in range(0, len(items), size):
        yield items[begin : begin + size]


def insert_ignoring_duplicates(s: Session) -> Any:
    """The dialect's Core INSERT into touchpoints with ON CONFLICT DO NOTHING (PostgreSQL or
    SQLite); Core, not the ORM, so a list of rows is one executemany."""
    table = cast(Table, TouchpointRow.__table__)
    if s.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(table).on_conflict_do_nothing()
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert(table).on_conflict_do_nothing()


def _rows(
    customer_id: str, cycle: int, planned: Sequence[PlannedTouchpoint]
) -> list[dict[str, Any]]:
    return [{"customer_id": customer_id, "cycle": cycle, **step} for step in _steps(planned)]


def _steps(planned: Sequence[PlannedTouchpoint]) -> list[dict[str, Any]]:
    return [
        {
            "step": p.step,
            "kind": p.kind.value,
            "due": p.due,
            "status": TouchpointStatus.PENDING,
            "notes": "",
        }
        for p in planned
    ]


def enroll(
    customer_ids: Sequence[str], start: date, policy: Cadence | None = None, chunk: int = CHUNK
) -> int:
    """Plan cycle 1 from `start` for these customers (already planned steps stay as they are).

    One transaction per chunk of customers, so a crash keeps the chunks done and a re-run
    completes the rest. Returns how many customers were enrolled; unknown ids are a
    CustomerNotFound (a ValueError).
    """
    policy = policy or cadence()
    steps = _steps(plan(start, policy))
    enrolled = 0
    for ids in chunks(list(dict.fromkeys(customer_ids)), chunk):
        with store.session() as s:
            known = set(s.scalars(select(CustomerRow.id).where(CustomerRow.id.in_(ids))))
            unknown = [i for i in ids if i not in known]
            if unknown:
                raise CustomerNotFound(
                    f"customer_ids: unknown customer(s) {', '.join(unknown[:10])}: "
                    "import them first (csflows customers import FILE.csv)"
                )
            rows = [{"customer_id": cid, "cycle": 1, **step} for cid in ids for step in steps]
            s.connection().execute(insert_ignoring_duplicates(s), rows)
            s.execute(
                update(CustomerRow)
                .where(CustomerRow.id.in_(ids))
                .values(status=CustomerStatus.IN_RETENTION)
            )
        enrolled += len(ids)
    return enrolled


def _plan_rows(planned: Sequence[PlannedTouchpoint]) -> Subquery:
    """The cycle's steps as a derived table (UNION ALL of literal rows), to join customers to."""
    rows = [
        select(
            literal(p.step).label("step"),
            literal(p.kind.value).label("kind"),
            literal(p.due).label("due"),
        )
        for p in planned
    ]
    return union_all(*rows).subquery("plan")


def enroll_ready(now: datetime, policy: Cadence | None = None) -> int:
    """Enroll every customer whose status is ready_for_retention, from their local today:
    one INSERT ... SELECT per time zone, in customer order (kind to the indexes)."""
    policy = policy or cadence()
    enrolled = 0
    with store.session() as s:
        zones = s.scalars(
            select(CustomerRow.timezone)
            .distinct()
            .where(CustomerRow.status == CustomerStatus.READY_FOR_RETENTION)
        )
        for zone in list(zones):
            steps = _plan_rows(plan(local_date(now, zone), policy))
            source = (
                select(
                    CustomerRow.id,
                    literal(1),
                    steps.c.step,
                    steps.c.kind,
                    steps.c.due,
                    literal(TouchpointStatus.PENDING.value),  # a str: an enum has no SQL type
                    literal(""),
                )
                .join(steps, true())
                .where(
                    CustomerRow.status == CustomerStatus.READY_FOR_RETENTION,
                    CustomerRow.timezone == zone,
                )
                .order_by(CustomerRow.id, steps.c.step)
            )
            s.execute(insert_ignoring_duplicates(s).from_select(_COLUMNS, source))
            planned = exists().where(TouchpointRow.customer_id == CustomerRow.id)
            result = s.execute(
                update(CustomerRow)
                .where(
                    CustomerRow.status == CustomerStatus.READY_FOR_RETENTION,
                    CustomerRow.timezone == zone,
                    planned,
                )
                .values(status=CustomerStatus.IN_RETENTION)
                .execution_options(synchronize_session=False)
            )
            enrolled += result.rowcount or 0  # type: ignore[attr-defined]
    return enrolled


def restart(s: Session, customer_id: str, start: date, policy: Cadence) -> int:
    """Cancel the customer's open touchpoints and plan a new cycle from `start`; returns it."""
    s.execute(
        update(TouchpointRow)
        .where(TouchpointRow.customer_id == customer_id, TouchpointRow.status.in_(OPEN))
        .values(status=TouchpointStatus.CANCELLED)
        .execution_options(synchronize_session=False)
    )
    last = s.scalar(
        select(func.max(TouchpointRow.cycle)).where(TouchpointRow.customer_id == customer_id)
    )
    cycle = (last or 0) + 1
    s.connection().execute(
        insert_ignoring_duplicates(s), _rows(customer_id, cycle, plan(start, policy))
    )
    s.execute(
        update(CustomerRow)
        .where(CustomerRow.id == customer_id)
        .values(status=CustomerStatus.IN_RETENTION)
    )
    return cycle
