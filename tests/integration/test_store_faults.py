"""The store locked by another writer for a moment: a write waits for it, nothing is lost."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from csflows import customers, store
from csflows.models import Customer

pytestmark = pytest.mark.integration


def _customer(n: int) -> Customer:
    return Customer(
        id=f"C-{n}", name=f"Shop {n}", email=f"s{n}@example.com", division="cop", level=2
    )


def _lock_store(store_home: Path) -> Callable[[], None]:
    """Lock the customers table from another connection, as a second writer would; returns
    the function that releases it."""
    url = store.database_url()
    if url.startswith("sqlite"):
        conn: Any = sqlite3.connect(
            store_home / "csflows.db", isolation_level=None, check_same_thread=False
        )
        conn.execute("BEGIN EXCLUSIVE")
    else:
        import psycopg

        conn = psycopg.connect(url.replace("postgresql+psycopg", "postgresql"))
        conn.execute("LOCK TABLE customers IN ACCESS EXCLUSIVE MODE")

    def release() -> None:
        if url.startswith("sqlite"):
            conn.execute("COMMIT")
        else:
            conn.commit()
        conn.close()

    return release


def test_write_waits_for_a_lock_held_by_another_writer(store_ready: Path) -> None:
    release = _lock_store(store_ready)
    threading.Timer(0.5, release).start()
    assert customers.save([_customer(1), _customer(2)]) == 2
    assert [c["id"] for c in customers.list_customers()] == ["C-1", "C-2"]
