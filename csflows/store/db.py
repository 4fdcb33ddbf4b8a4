"""Engine, sessions and migrations: SQLite under CSFLOWS_HOME, or CSFLOWS_DATABASE_URL."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from csflows.paths import home

MIGRATIONS = Path(__file__).parent / "migrations"
_known_urls: set[str] = set()
_upgrade_lock = threading.Lock()


def database_url() -> str:
    """`CSFLOWS_DATABASE_URL` (e.g. postgresql+psycopg://...), else SQLite in CSFLOWS_HOME."""
    return os.environ.get("CSFLOWS_DATABASE_URL") or f"sqlite:///{home() / 'csflows.db'}"


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")  # readers do not block the writer
    cursor.execute("PRAGMA busy_timeout=30000")  # a locked store waits, it does not fail
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


@lru_cache(maxsize=8)
def _engine_for(url: str) -> Engine:
    _known_urls.add(url)
    if url.startswith("sqlite"):
        eng = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})
        event.listen(eng, "connect", _sqlite_pragmas)
        return eng
    return create_engine(url, pool_pre_ping=True)


def engine() -> Engine:
    return _engine_for(database_url())


@lru_cache(maxsize=8)
def _sessionmaker_for(url: str) -> sessionmaker[Session]:
    return sessionmaker(_engine_for(url), expire_on_commit=False)


@contextmanager
def session() -> Iterator[Session]:
    """A unit of work: committed when the block ends, rolled back on any error."""
    with _sessionmaker_for(database_url())() as s, s.begin():
        yield s


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", database_url().replace("%", "%%"))
    return cfg


def upgrade() -> None:
    """Bring the store to the newest schema; running it again changes nothing."""
    command.upgrade(alembic_config(), "heads")


@lru_cache(maxsize=8)
def _upgraded(url: str) -> bool:
    upgrade()
    return True


def ready() -> None:
    """Migrate the store once per store and process, for code that may be the first to touch it
    (a worker's lookups, the triage model); concurrent threads must not race Alembic."""
    with _upgrade_lock:
        _upgraded(database_url())


def dispose() -> None:
    """Close every pooled connection (tests that create databases, and forked workers)."""
    for url in list(_known_urls):
        _engine_for(url).dispose()
    _known_urls.clear()
    _engine_for.cache_clear()
    _sessionmaker_for.cache_clear()
