"""Order history from the CRM (`customer_id,order_date,amount,po_number`), loaded set-based.

A file is staged in a temporary table, checked (every bad row reported by its number, nothing
loaded if any), then merged into `orders` in one statement: upsert on customer + PO number.
Rows are parsed on a fast path; a file it cannot vouch for goes through `csvfile.read_rows`, so
errors read the same as every other import.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime
from itertools import islice
from pathlib import Path

from sqlalchemy import Connection, Date, DateTime, bindparam, text

from csflows import store
from csflows.csvfile import CsvImportError, read_rows
from csflows.models import Order

CSV_HEADER = ["customer_id", "order_date", "amount", "po_number"]
BATCH = 10_000
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_AMOUNT = re.compile(r"-?\d{1,12}(\.\d{1,2})?")

# (row number, customer_id, order_date, amount in cents, po_number)
OrderLine = tuple[int, str, date, int, str]


class _NotFast(Exception):
    """A row the fast path does not vouch for: let read_rows judge the whole file."""


def _require_po_number(order: Order) -> str | None:
    if not order.po_number:
        return "po_number: required: orders are told apart (and updated) by customer and PO number"
    return None


def _fast_lines(path: Path) -> Iterator[OrderLine]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle)
        if [h.strip() for h in next(reader, [])] != CSV_HEADER:
            raise _NotFast
        for number, row in enumerate(reader, start=2):
            if len(row) != 4:
                raise _NotFast
            customer_id, day, amount, po_number = (cell.strip() for cell in row)
            if not customer_id or not po_number or len(customer_id) > 64 or len(po_number) > 100:
                raise _NotFast
            if not _DATE.fullmatch(day) or not _AMOUNT.fullmatch(amount):
                raise _NotFast
            try:
                order_date = date.fromisoformat(day)
            except ValueError:
                raise _NotFast from None
            whole, _, fraction = amount.partition(".")
            sign = -1 if whole.startswith("-") else 1
            amount_cents = int(whole) * 100 + sign * int((fraction + "00")[:2])
            yield number, customer_id, order_date, amount_cents, po_number


def _checked_lines(path: Path) -> Iterator[OrderLine]:
    """Every row of the file via read_rows' validation (the slow path, same errors)."""
    orders = read_rows(path, Order, CSV_HEADER, check=_require_po_number)
    for number, order in enumerate(orders, start=2):
        yield number, order.customer_id, order.order_date, int(order.amount * 100), order.po_number


_STAGE = "order_import"
_INSERT = text(
    f"INSERT INTO {_STAGE} VALUES (:row_number, :customer_id, :order_date, :amount_cents, :po_number)"
).bindparams(bindparam("order_date", type_=Date))


def _insert(conn: Connection, lines: Iterator[OrderLine]) -> int:
    count = 0
    while batch := list(islice(lines, BATCH)):
        conn.execute(
            _INSERT,
            [
                {
                    "row_number": n,
                    "customer_id": c,
                    "order_date": d,
                    "amount_cents": a,
                    "po_number": p,
                }
                for n, c, d, a, p in batch
            ],
        )
        count += len(batch)
    return count


def stage(conn: Connection, path: Path) -> int:
    """Load `path` into a temporary table on `conn`; CsvImportError if a row is bad or repeated."""
    conn.execute(text(f"DROP TABLE IF EXISTS {_STAGE}"))
    conn.execute(
        text(
            f"CREATE TEMPORARY TABLE {_STAGE} (row_number INTEGER, customer_id VARCHAR(64), "
            "order_date DATE, amount_cents BIGINT, po_number VARCHAR(100))"
        )
    )
    try:
        count = _insert(conn, _fast_lines(path))
    except (_NotFast, UnicodeDecodeError, OSError, csv.Error):
        conn.execute(text(f"DELETE FROM {_STAGE}"))
        count = _insert(conn, _checked_lines(path))
    _refuse_repeats(conn, path)
    return count


def _refuse_repeats(conn: Connection, path: Path) -> None:
    repeats = conn.execute(
        text(
            f"SELECT customer_id, po_number, MIN(row_number), MAX(row_number) FROM {_STAGE} "
            "GROUP BY customer_id, po_number HAVING COUNT(*) > 1 ORDER BY MIN(row_number)"
        )
    ).all()
    if repeats:
        raise CsvImportError(
            path,
            [
                f"row {last}: po_number: {po!r} for customer {customer!r} repeats row {first}"
                for customer, po, first, last in repeats
            ],
        )


def merge_staged(conn: Connection, source: str = "import") -> None:
    """Upsert the staged orders into `orders` by customer and PO number, in one statement."""
    conn.execute(
        text(
            "INSERT INTO orders (customer_id, po_number, order_date, amount, source, status, created_at) "
            f"SELECT customer_id, po_number, order_date, amount_cents / 100.0, :source, 'accepted', :now "
            f"FROM {_STAGE} WHERE true "
            "ON CONFLICT (customer_id, po_number) DO UPDATE SET "
            "order_date = excluded.order_date, amount = excluded.amount"
        ).bindparams(bindparam("now", type_=DateTime(timezone=True))),
        {"source": source, "now": datetime.now(UTC)},
    )
    conn.execute(text(f"DROP TABLE {_STAGE}"))


def import_csv(path: Path) -> int:
    """Import order history: every row in one transaction, or none."""
    with store.session() as s:
        conn = s.connection()
        count = stage(conn, path)
        merge_staged(conn)
    return count
