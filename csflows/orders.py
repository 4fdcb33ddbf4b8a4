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

from sqlalchemy import (
    Column,
    Connection,
    Date,
    DateTime,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    bindparam,
    text,
)

from csflows import store
from csflows.csvfile import read_rows
from csflows.errors import CsflowsError, CsvImportError
from csflows.models import Order, OrderStatus

CSV_HEADER = ["customer_id", "order_date", "amount", "po_number"]
BATCH = 10_000
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_AMOUNT = re.compile(r"-?\d{1,12}(\.\d{1,2})?")

# (row number, customer_id, po_number, order date YYYY-MM-DD, amount as written, e.g. "-12.50")
OrderLine = tuple[int, str, str, str, str]


class _NotFast(CsflowsError):
    """A row the fast path does not vouch for: let read_rows judge the whole file."""


def _require_po_number(order: Order) -> str | None:
    if not order.po_number:
        return "po_number: required: orders are told apart (and updated) by customer and PO number"
    return None


def _fast_lines(path: Path) -> Iterator[OrderLine]:
    """Rows whose every cell is plainly valid (ISO date, at most 2 decimals); _NotFast otherwise."""
    date_ok, amount_ok, from_iso = _DATE.fullmatch, _AMOUNT.fullmatch, date.fromisoformat
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle)
        if [h.strip() for h in next(reader, [])] != CSV_HEADER:
            raise _NotFast
        for number, row in enumerate(reader, start=2):
            if len(row) != 4:
                raise _NotFast
            customer_id, day, amount, po_number = row
            customer_id, day, amount, po_number = (
                customer_id.strip(),
                day.strip(),
                amount.strip(),
                po_number.strip(),
            )
            if not (0 < len(customer_id) <= 64 and 0 < len(po_number) <= 100):
                raise _NotFast
            if not (date_ok(day) and amount_ok(amount)):
                raise _NotFast
            try:
                from_iso(day)
            except ValueError:
                raise _NotFast from None
            yield number, customer_id, po_number, day, amount


def _checked_lines(path: Path) -> Iterator[OrderLine]:
    """Every row of the file via read_rows' validation (the slow path, same errors)."""
    orders = read_rows(path, Order, CSV_HEADER, check=_require_po_number)
    for number, o in enumerate(orders, start=2):
        yield number, o.customer_id, o.po_number, o.order_date.isoformat(), str(o.amount)


STAGE = Table(
    "order_import",
    MetaData(),
    Column("row_number", Integer),
    Column("customer_id", String(64)),
    Column("po_number", String(100)),
    Column("order_date", Date),
    Column("amount", Numeric(14, 2)),
    Column("status", String(40), server_default=OrderStatus.ACCEPTED.value),
    prefixes=["TEMPORARY"],
)
_STAGE = STAGE.name


def _insert(conn: Connection, lines: Iterator[OrderLine]) -> int:
    """Plain DB-API executemany of tuples: the bulk of an import's time, so no per-row objects."""
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    sql = (
        f"INSERT INTO {_STAGE} (row_number, customer_id, po_number, order_date, amount) "
        f"VALUES ({', '.join([mark] * 5)})"
    )
    count = 0
    while batch := list(islice(lines, BATCH)):
        conn.exec_driver_sql(sql, batch)
        count += len(batch)
    return count


def stage(conn: Connection, path: Path) -> int:
    """Load `path` into a temporary table on `conn`; CsvImportError if a row is bad or repeated."""
    STAGE.drop(conn, checkfirst=True)
    STAGE.create(conn)
    try:
        count = _insert(conn, _fast_lines(path))
    except (_NotFast, UnicodeDecodeError, OSError, csv.Error):
        conn.execute(STAGE.delete())
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
            f"SELECT customer_id, po_number, order_date, amount, :source, status, :now "
            f"FROM {_STAGE} WHERE true ORDER BY customer_id, po_number "
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
