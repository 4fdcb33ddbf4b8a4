"""The end-to-end world: a real Prefect server (one per session), a `csflows serve` process, a
real SMTP server, and local HTTP servers answering as Google Maps, RDAP and the applicant's site."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.support.google import GoogleQuota
from tests.support.inquiries import form_data
from tests.support.postgres import PostgresServer, postgres_wanted
from tests.support.prefect_server import (
    PrefectServer,
    ServeProcess,
    prefect_client_settings,
    wait_for_deployment,
)
from tests.support.prefect_server import prefect_on_postgres as postgres_prefect
from tests.support.servers import HttpServer, SmtpServer
from tests.support.suitetalk import netsuite_settings, suitetalk
from tests.support.vetting_world import applicant_world, worker_env

PREFECT_DATABASE = "prefect"  # the e2e Prefect server's database on PostgreSQL


def new_prefect_server(
    tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest, name: str
) -> PrefectServer:
    """A `prefect server start` on a free port with its own PREFECT_HOME, not yet started. Its
    database is SQLite there, or (CSFLOWS_TEST_PREFECT_DB=postgres) a database `name` of its own
    on the session's PostgreSQL server, apart from the store's."""
    database_url = None
    if postgres_wanted("CSFLOWS_TEST_PREFECT_DB"):
        postgres: PostgresServer = request.getfixturevalue("postgres_server")
        postgres.create_database(name)
        database_url = postgres.url(name, driver="asyncpg")
    return PrefectServer(tmp_path_factory.mktemp(f"{name}-home"), database_url=database_url)


@contextmanager
def prefect_on_postgres(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrefectServer]:
    """A Prefect server on a PostgreSQL server of its own, for a module whose runs change state
    at once (see tests.support.prefect_server.prefect_on_postgres)."""
    with postgres_prefect(tmp_path_factory.mktemp("prefect-pg")) as server:
        yield server


@pytest.fixture(scope="session")
def prefect_server(
    tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[PrefectServer]:
    """The session's Prefect server (see new_prefect_server); stopped at the end."""
    server = new_prefect_server(tmp_path_factory, request, PREFECT_DATABASE).start()
    yield server
    server.stop()


@dataclass
class VettingStack:
    """Everything the vetting deployment needs, running; `env` is what the worker sees."""

    prefect: PrefectServer
    home: Path
    smtp: SmtpServer
    http: HttpServer
    env: dict[str, str] = field(default_factory=dict)
    serve: ServeProcess | None = None
    serve_limit: int | None = None
    netsuite: dict[str, dict[str, Any]] = field(default_factory=dict)

    def form(self, **changes: Any) -> dict[str, Any]:
        """A complete form of a business that meets every criterion; `changes` override keys."""
        return form_data(website=f"http://paperlantern.test:{self.http.port}/", **changes)

    def start_worker(self) -> ServeProcess:
        self.serve = ServeProcess(self.env, self.home / "serve.log", limit=self.serve_limit).start()
        wait_for_deployment("vet-new-customer/vet-new-customer")
        return self.serve

    def stop_worker(self) -> None:
        if self.serve is not None:
            self.serve.stop()


@contextmanager
def running_stack(
    prefect: PrefectServer,
    home: Path,
    env: dict[str, str] | None = None,
    *,
    quota: GoogleQuota | None = None,
    serve_limit: int | None = None,
) -> Iterator[VettingStack]:
    """A `csflows serve` process against `prefect` (at most `serve_limit` runs at once) with its
    mail and web servers, until exit; with `quota`, Google answers 429 beyond it; `env` adds to
    (or overrides) what the worker sees."""
    smtp = SmtpServer().start()
    http = HttpServer().start()
    applicant_world(http, quota)
    suitetalk(http, netsuite_records := {})
    stack = VettingStack(prefect, home, smtp, http, serve_limit=serve_limit)
    stack.env = {
        **worker_env(prefect, smtp, http, home),
        **{f"CSFLOWS_NETSUITE_{k}": v for k, v in netsuite_settings(http).items()},
        **(env or {}),
    }
    stack.netsuite = netsuite_records
    with prefect_client_settings(prefect):
        stack.start_worker()
        try:
            yield stack
        finally:
            stack.stop_worker()
            smtp.stop()
            http.stop()


def module_store(request: pytest.FixtureRequest) -> dict[str, str]:
    """The store a module's serve process and its tests share: SQLite in the stack's home (no
    setting), or (CSFLOWS_TEST_STORE=postgres) a PostgreSQL database of the module's."""
    if not postgres_wanted("CSFLOWS_TEST_STORE"):
        return {}
    postgres: PostgresServer = request.getfixturevalue("postgres_server")
    module = request.module.__name__.rpartition(".")[2]
    return {"CSFLOWS_DATABASE_URL": postgres.create_database(f"e2e_{module}")}


@pytest.fixture(scope="module")
def worker_settings() -> dict[str, str]:
    """What a module's worker sees besides the stack's own settings; a module overrides it."""
    return {}


@pytest.fixture(scope="module")
def vetting_stack(
    prefect_server: PrefectServer,
    tmp_path_factory: pytest.TempPathFactory,
    request: pytest.FixtureRequest,
    worker_settings: dict[str, str],
) -> Iterator[VettingStack]:
    """One `csflows serve` process (and its mail and web servers) for a test module."""
    home = tmp_path_factory.mktemp("csflows-home")
    with running_stack(prefect_server, home, {**module_store(request), **worker_settings}) as stack:
        yield stack


@pytest.fixture
def stack(vetting_stack: VettingStack, monkeypatch: pytest.MonkeyPatch) -> Iterator[VettingStack]:
    """This test process sees the same store, mail server and Prefect API as the worker."""
    for key, value in vetting_stack.env.items():
        if key != "PYTHONPATH":
            monkeypatch.setenv(key, value)
    with prefect_client_settings(vetting_stack.prefect):
        yield vetting_stack
    os.environ.pop("CSFLOWS_DATABASE_URL", None)
