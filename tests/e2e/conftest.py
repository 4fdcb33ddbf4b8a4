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

from tests.integration.test_netsuite import netsuite_settings, suitetalk
from tests.support.google import GoogleQuota
from tests.support.inquiries import form_data
from tests.support.prefect_server import (
    PrefectServer,
    ServeProcess,
    prefect_client_settings,
    wait_for_deployment,
)
from tests.support.servers import HttpServer, SmtpServer
from tests.support.vetting_world import applicant_world, worker_env


@pytest.fixture(scope="session")
def prefect_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrefectServer]:
    """`prefect server start` on a free port with its own PREFECT_HOME; stopped at the end."""
    server = PrefectServer(tmp_path_factory.mktemp("prefect-home")).start()
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
        self.serve = ServeProcess(self.env, self.home / "serve.log", self.serve_limit).start()
        wait_for_deployment("vet-new-customer/vet-new-customer")
        return self.serve

    def stop_worker(self) -> None:
        if self.serve is not None:
            self.serve.stop()


@contextmanager
def running_stack(
    prefect_server: PrefectServer,
    home: Path,
    quota: GoogleQuota | None = None,
    serve_limit: int | None = None,
    env: dict[str, str] | None = None,
) -> Iterator[VettingStack]:
    """A `csflows serve` process (at most `serve_limit` runs at once) with its mail and web
    servers; with `quota`, Google answers 429 beyond it; `env` adds to the worker's."""
    smtp = SmtpServer().start()
    http = HttpServer().start()
    applicant_world(http, quota)
    suitetalk(http, netsuite_records := {})
    stack = VettingStack(prefect_server, home, smtp, http, serve_limit=serve_limit)
    stack.env = {
        **worker_env(prefect_server, smtp, http, home),
        **{f"CSFLOWS_NETSUITE_{k}": v for k, v in netsuite_settings(http).items()},
        **(env or {}),
    }
    stack.netsuite = netsuite_records
    with prefect_client_settings(prefect_server):
        stack.start_worker()
        try:
            yield stack
        finally:
            stack.stop_worker()
            smtp.stop()
            http.stop()


@pytest.fixture(scope="module")
def vetting_stack(
    prefect_server: PrefectServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[VettingStack]:
    """One `csflows serve` process (and its mail and web servers) for a test module."""
    with running_stack(prefect_server, tmp_path_factory.mktemp("csflows-home")) as stack:
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
