"""Fixtures for the whole suite: an isolated CSFLOWS_HOME per test, and real local servers."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.imap import DovecotServer
from tests.support.postgres import PostgresServer, postgres_wanted
from tests.support.servers import HttpServer, SmtpServer

os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
os.environ.setdefault("CSFLOWS_SKIP_BLOCK_LOOKUP", "1")


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer | None]:
    """With CSFLOWS_TEST_STORE=postgres or CSFLOWS_TEST_PREFECT_DB=postgres, one PostgreSQL server
    for the session; else None."""
    if not (postgres_wanted("CSFLOWS_TEST_STORE") or postgres_wanted("CSFLOWS_TEST_PREFECT_DB")):
        yield None
        return
    server = PostgresServer().start()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def csflows_home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> Iterator[Path]:
    """Each test gets its own home folder and an empty store: SQLite in the home folder, or
    (CSFLOWS_TEST_STORE=postgres) a fresh PostgreSQL database."""
    home = tmp_path / "csflows-home"
    monkeypatch.setenv("CSFLOWS_HOME", str(home))
    monkeypatch.delenv("CSFLOWS_DATABASE_URL", raising=False)
    if postgres_wanted("CSFLOWS_TEST_STORE"):
        server = request.getfixturevalue("postgres_server")
        database = f"t{abs(hash(request.node.nodeid)) % 10**12}"
        monkeypatch.setenv("CSFLOWS_DATABASE_URL", server.create_database(database))
    yield home
    from csflows.store.db import dispose

    dispose()


@pytest.fixture
def store_ready(csflows_home: Path) -> Path:
    """The store migrated to the newest schema."""
    from csflows import store

    store.upgrade()
    return csflows_home


@pytest.fixture
def smtp_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[SmtpServer]:
    """A real SMTP server on 127.0.0.1, with the SMTP block pointed at it."""
    server = SmtpServer().start()
    for key, value in server.env().items():
        monkeypatch.setenv(key, value)
    yield server
    server.stop()


@pytest.fixture
def http_server() -> Iterator[HttpServer]:
    """A JSON HTTP server on 127.0.0.1; add routes with `.route(...)`."""
    server = HttpServer().start()
    yield server
    server.stop()


@pytest.fixture
def imap_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[DovecotServer]:
    """A real IMAP server (Dovecot) on 127.0.0.1 with two inboxes, `sales` and `support`, and
    triage pointed at both (CSFLOWS_INBOXES and per-inbox CSFLOWS_IMAP_<NAME>_* variables)."""
    server = DovecotServer().start({"sales": "sales-pw", "support": "support-pw"})
    monkeypatch.setenv("CSFLOWS_INBOXES", "sales,support")
    for user in server.passwords:
        for key, value in server.env(user).items():
            monkeypatch.setenv(f"CSFLOWS_IMAP_{user.upper()}_{key}", value)
    yield server
    server.stop()
