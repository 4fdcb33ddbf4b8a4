"""`csflows orders import` and `csflows tiers compute|level4`: all rows or none, row-numbered
errors, upsert on customer + PO number, and tiers straight from a file."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from cli import app
from csflows import customers, orders, store
from csflows.errors import EXIT_CODES, CsvImportError, InputError
from csflows.paths import config_dir
from csflows.store.tables import OrderRow

HEADER = "customer_id,order_date,amount,po_number\n"
runner = CliRunner()


def _csv(tmp_path: Path, *rows: str, name: str = "orders.csv", header: str = HEADER) -> Path:
    path = tmp_path / name
    path.write_text(header + "".join(r + "\n" for r in rows))
    return path


def _orders() -> list[tuple[str, str, str, Decimal]]:
    with store.session() as s:
        rows = s.scalars(select(OrderRow).order_by(OrderRow.customer_id, OrderRow.po_number))
        return [(r.customer_id, r.po_number, r.order_date.isoformat(), r.amount) for r in rows]


def test_import_then_reimport_updates_by_customer_and_po(tmp_path: Path, store_ready: Path) -> None:
    first = _csv(tmp_path, "C-1,2026-01-05,100.50,PO-1", "C-1,2026-02-05,-0.5,RF-1")
    result = runner.invoke(app, ["orders", "import", str(first)])
    assert result.exit_code == 0 and "imported 2 order(s)" in result.output
    second = _csv(tmp_path, "C-1,2026-01-06,200,PO-1", "C-2,2026-01-06,7.25,PO-1", name="b.csv")
    orders.import_csv(second)
    assert _orders() == [
        ("C-1", "PO-1", "2026-01-06", Decimal("200.00")),
        ("C-1", "RF-1", "2026-02-05", Decimal("-0.50")),
        ("C-2", "PO-1", "2026-01-06", Decimal("7.25")),
    ]


def test_bad_rows_are_numbered_and_nothing_is_imported(tmp_path: Path, store_ready: Path) -> None:
    path = _csv(
        tmp_path,
        "C-1,2026-01-05,100.50,PO-1",
        "C-1,2026-02-30,12,PO-2",
        "C-1,2026-02-01,12.345,PO-3",
        "C-1,2026-02-01,twelve,PO-4",
        ",2026-02-01,12,PO-5",
        "C-1,2026-02-01,12,",
        "C-1,2026-02-01,12",
    )
    with pytest.raises(CsvImportError) as err:
        orders.import_csv(path)
    text = str(err.value)
    assert "row 3: order_date:" in text and "'2026-02-30'" in text
    assert "row 4: amount: Decimal input should have no more than 2 decimal places" in text
    assert "row 5: amount: Input should be a valid decimal (got 'twelve')" in text
    assert "row 6: customer_id:" in text
    assert "row 7: po_number: required" in text
    assert "row 8: po_number: required" in text  # a short row leaves the PO number empty
    assert _orders() == []
    result = runner.invoke(app, ["orders", "import", str(path)])
    assert result.exit_code == EXIT_CODES[InputError] and "nothing imported" in result.output


def test_a_repeated_po_in_one_file_is_refused(tmp_path: Path, store_ready: Path) -> None:
    path = _csv(tmp_path, "C-1,2026-01-05,1,PO-1", "C-2,2026-01-05,1,PO-1", "C-1,2026-01-09,2,PO-1")
    with pytest.raises(
        CsvImportError, match=r"row 4: po_number: 'PO-1' for customer 'C-1' repeats row 2"
    ):
        orders.import_csv(path)
    assert _orders() == []


def test_wrong_header(tmp_path: Path, store_ready: Path) -> None:
    path = _csv(tmp_path, "C-1,2026-01-05,1", header="customer_id,order_date,amount\n")
    with pytest.raises(
        CsvImportError, match="row 1: header must be customer_id,order_date,amount,po_number"
    ):
        orders.import_csv(path)


def test_fast_and_checked_paths_read_the_same(tmp_path: Path) -> None:
    path = _csv(
        tmp_path, "C-1,2026-01-05,100.5,PO-1", "C-2,2025-12-31,-7,RF-1", " C-3 ,2026-01-01,0.01, P "
    )
    assert list(orders._fast_lines(path)) == list(orders._checked_lines(path))


def test_tiers_compute_prints_every_customer(tmp_path: Path) -> None:
    path = _csv(
        tmp_path,
        "C-TOP,2026-06-30,100000.01,PO-1",
        "C-EXACT,2026-01-01,60000,PO-1",
        "C-EXACT,2026-02-01,40000,PO-2",
        "C-REFUND,2026-03-01,120000,PO-1",
        "C-REFUND,2026-04-01,-25000,RF-1",
        "C-OLD,2025-06-30,500000,PO-1",  # one day before the window
        "C-OLD,2026-07-01,500000,PO-2",  # after the evaluation date
        "C-OLD,2025-07-01,92000,PO-3",  # the window's first day
    )
    result = runner.invoke(
        app, ["tiers", "compute", "--orders", str(path), "--as-of", "2026-06-30", "--json"]
    )
    assert result.exit_code == 0, result.output
    rows = {r["customer_id"]: r for r in json.loads(result.stdout)}
    assert list(rows) == ["C-EXACT", "C-OLD", "C-REFUND", "C-TOP"]
    assert rows["C-TOP"] == {
        "customer_id": "C-TOP",
        "trailing_12m": 100000.01,
        "tier": "extra_special",
        "next_tier": None,
        "amount_to_next": None,
        "remind": False,
    }
    assert rows["C-EXACT"]["tier"] == "standard" and rows["C-EXACT"]["amount_to_next"] == 0.01
    assert rows["C-REFUND"]["trailing_12m"] == 95000.0 and rows["C-REFUND"]["remind"] is True
    assert rows["C-OLD"]["trailing_12m"] == 92000.0 and rows["C-OLD"]["remind"] is True


def test_tiers_compute_refuses_a_bad_file_and_date(tmp_path: Path) -> None:
    path = _csv(tmp_path, "C-1,2026-01-05,abc,PO-1")
    result = runner.invoke(
        app, ["tiers", "compute", "--orders", str(path), "--as-of", "2026-06-30"]
    )
    assert (
        result.exit_code == EXIT_CODES[InputError]
        and "row 2: amount: Input should be a valid decimal" in result.output
    )
    result = runner.invoke(
        app, ["tiers", "compute", "--orders", str(path), "--as-of", "30/06/2026"]
    )
    assert (
        result.exit_code == EXIT_CODES[InputError]
        and "--as-of: expected a date as YYYY-MM-DD" in result.output
    )


def test_level4_suggestions_from_the_store(tmp_path: Path, store_ready: Path) -> None:
    customers.import_csv(config_dir() / "demo" / "customers.csv")
    orders.import_csv(
        _csv(
            tmp_path,
            "C-1001,2024-01-10,5000,PO-1",
            "C-1001,2025-09-10,1999.99,PO-2",
            "C-1006,2024-01-10,5,PO-1",
        )
    )
    result = runner.invoke(app, ["tiers", "level4", "--as-of", "2025-12-31", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == [
        {
            "customer_id": "C-1001",
            "name": "Paper Garden Crafts",
            "division": "craft_hobby",
            "level": 2,
            "trailing_12m": 1999.99,
            "level4_below": 2000.0,
        }
    ]
    assert customers.list_customers()[0]["level"] == 2


def test_demo_loads_orders_that_show_each_case(store_ready: Path) -> None:
    from cli import demo

    lines = list(demo.load())  # the sample runs need a served deployment: tests/e2e
    assert any("loaded 14 demo orders" in line for line in lines)
    assert len(_orders()) == 14
    result = runner.invoke(
        app,
        [
            "tiers",
            "compute",
            "--orders",
            str(config_dir() / "demo" / "orders.csv"),
            "--as-of",
            "2026-10-31",
            "--json",
        ],
    )
    rows = {r["customer_id"]: r for r in json.loads(result.stdout)}
    assert rows["C-1001"]["tier"] == "extra_special"  # over $100,000 net of a refund
    assert rows["C-1002"]["remind"] is True  # within 10% of $100,000
    assert rows["C-1006"]["trailing_12m"] == 9000.0  # a 2024 order is outside the window
