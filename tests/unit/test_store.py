"""The store migrates from empty, and again without change."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import inspect, text

from csflows import store

TABLES = {
    "tickets",
    "inquiries",
    "check_results",
    "decisions",
    "customers",
    "orders",
    "touchpoints",
    "messages",
    "tier_history",
}


def test_upgrade_from_empty_creates_every_table(csflows_home: Path) -> None:
    store.upgrade()
    assert (csflows_home / "csflows.db").exists()
    names = set(inspect(store.engine()).get_table_names())
    assert names >= TABLES


def test_upgrade_is_idempotent(csflows_home: Path) -> None:
    store.upgrade()
    with store.engine().connect() as c:
        first = c.execute(text("select version_num from alembic_version")).scalars().all()
    store.upgrade()
    with store.engine().connect() as c:
        again = c.execute(text("select version_num from alembic_version")).scalars().all()
    assert first == again and first


def test_database_url_from_environment(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CSFLOWS_DATABASE_URL", f"sqlite:///{tmp_path / 'other.db'}")
    store.upgrade()
    assert (tmp_path / "other.db").exists()
