"""A real Prefect server and a real `csflows serve` process for end-to-end tests.

`PrefectServer` runs `prefect server start` on a free 127.0.0.1 port with its own PREFECT_HOME;
`ServeProcess` runs `python -m csflows serve` from the repository against it, and can be killed
(SIGKILL, a crashed worker) and started again. Both write their logs to files for failures.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import httpx

from csflows.paths import PROJECT_ROOT
from tests.support.postgres import PostgresServer
from tests.support.servers import free_port

PREFECT_DATABASE = "prefect"  # a Prefect server's database on PostgreSQL

T = TypeVar("T")


def wait_for(
    what: str, probe: Callable[[], T | None], timeout: float = 120, every: float = 0.5
) -> T:
    """Poll `probe` until it returns something truthy; AssertionError naming `what` on timeout."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        try:
            last = probe()
        except Exception as exc:  # the thing is not there yet
            last = exc
        if last and not isinstance(last, Exception):
            return last
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout:g}s waiting for {what} (last: {last!r})")


def _stop(process: subprocess.Popen[bytes] | None, grace: float = 20) -> None:
    if process is None or process.poll() is not None:
        return
    process.send_signal(signal.SIGINT)
    try:
        process.wait(grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(10)


class PrefectServer:
    """`prefect server start` on 127.0.0.1 with its own home and no analytics; its database is
    SQLite in the home, or the `postgresql+asyncpg://` database at `database_url`."""

    def __init__(
        self,
        home: Path,
        schedules: bool = False,
        database_url: str | None = None,
        settings: dict[str, str] | None = None,
        command: list[str] | None = None,
    ) -> None:
        self.home = home
        self.schedules = schedules  # off: no scheduled run starts in the middle of a test
        self.database_url = database_url
        self.settings = settings or {}  # the server's own settings (e.g. the quick start's)
        # what stands for `prefect server` (e.g. the quick start's single-writer launcher)
        self.command = command or [str(Path(sys.executable).with_name("prefect")), "server"]
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.log = home / "prefect-server.log"

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api"

    @property
    def ui_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def auth_string(self) -> str | None:
        """The API's `user:password` when the server requires one (its settings say so)."""
        return self.settings.get("PREFECT_SERVER_API_AUTH_STRING")

    def env(self) -> dict[str, str]:
        """What a client of this server (serve, a worker, the CLI) sees."""
        auth = {"PREFECT_API_AUTH_STRING": self.auth_string} if self.auth_string else {}
        return {
            "PREFECT_HOME": str(self.home),
            "PREFECT_API_URL": self.api_url,
            "PREFECT_UI_URL": self.ui_url,
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "PREFECT_SERVER_UI_SHOW_PROMOTIONAL_CONTENT": "false",
            "PREFECT_LOGGING_LEVEL": "INFO",
            **auth,
        }

    def start(self, timeout: float = 180) -> PrefectServer:
        self.home.mkdir(parents=True, exist_ok=True)
        env = os.environ | self.env()
        env.pop("PREFECT_API_URL", None)  # the server itself needs no client URL
        env["PREFECT_UI_API_URL"] = self.api_url  # where the UI in a browser finds the API
        env["PREFECT_SERVER_SERVICES_SCHEDULER_ENABLED"] = "true" if self.schedules else "false"
        if self.database_url:  # room for a burst of API calls (the default pool is 5 + 10)
            env["PREFECT_API_DATABASE_CONNECTION_URL"] = self.database_url
            env["PREFECT_SERVER_DATABASE_SQLALCHEMY_POOL_SIZE"] = "20"
            env["PREFECT_SERVER_DATABASE_SQLALCHEMY_MAX_OVERFLOW"] = "40"
            env["PREFECT_SERVER_DATABASE_SQLALCHEMY_POOL_TIMEOUT"] = "120"
        else:
            env.pop("PREFECT_API_DATABASE_CONNECTION_URL", None)  # SQLite under PREFECT_HOME
        env.update(self.settings)
        env["PYTHONPATH"] = os.pathsep.join(
            p for p in (str(PROJECT_ROOT), env.get("PYTHONPATH", "")) if p
        )
        command = [*self.command, "start", "--host", "127.0.0.1", "--port", str(self.port)]
        self.process = subprocess.Popen(
            command, env=env, stdout=self.log.open("ab"), stderr=subprocess.STDOUT
        )

        def healthy() -> bool:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"prefect server exited; log:\n{self.log.read_text()[-3000:]}")
            with urllib.request.urlopen(f"{self.api_url}/health", timeout=2) as reply:
                return bool(reply.status == 200)

        deadline = time.monotonic() + timeout
        while True:
            try:
                if healthy():
                    return self
            except RuntimeError:
                raise
            except Exception:
                if time.monotonic() > deadline:
                    self.stop()
                    raise AssertionError(f"prefect server did not start; see {self.log}") from None
            time.sleep(0.5)

    def stop(self) -> None:
        _stop(self.process)

    def restart(self, crash: bool = False, timeout: float = 180) -> PrefectServer:
        """Stop the server (SIGINT, or SIGKILL when `crash`) and start it again on the same port
        and PREFECT_HOME: what was stored (runs, their states and inputs) must still be there."""
        if crash and self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)
        self.stop()
        return self.start(timeout)


@contextmanager
def prefect_on_postgres(home: Path) -> Iterator[PrefectServer]:
    """A Prefect server (PREFECT_HOME `home`) on a PostgreSQL server of its own, started, for
    runs that change state at once: Prefect's SQLite store then answers some writes `database
    is locked` (HTTP 503)."""
    postgres = PostgresServer().start()
    try:
        postgres.create_database(PREFECT_DATABASE)
        server = PrefectServer(home, database_url=postgres.url(PREFECT_DATABASE, "asyncpg"))
        try:
            yield server.start()
        finally:
            server.stop()
    finally:
        postgres.stop()


class ServeProcess:
    """`python -m csflows serve` (every deployment of prefect.yaml) as a subprocess, `limit`
    capping the flow runs it runs at once (each a subprocess of its own); or another `command`
    that runs flows from this checkout (e.g. a `prefect worker start`)."""

    def __init__(
        self,
        env: dict[str, str],
        log: Path,
        command: list[str] | None = None,
        limit: int | None = None,
    ) -> None:
        self.env = env
        self.log = log
        limits = ["--limit", str(limit)] if limit else []
        self.command = command or [sys.executable, "-m", "csflows", "serve", *limits]
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> ServeProcess:
        env = os.environ | self.env
        env["PYTHONPATH"] = os.pathsep.join(
            p for p in (str(PROJECT_ROOT), env.get("PYTHONPATH", "")) if p
        )
        env["CSFLOWS_PROJECT_DIR"] = str(PROJECT_ROOT)
        self.process = subprocess.Popen(
            self.command,
            cwd=PROJECT_ROOT,
            env=env,
            stdout=self.log.open("ab"),
            stderr=subprocess.STDOUT,
        )
        return self

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self) -> None:
        """SIGKILL: the worker dies without any chance to clean up."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)

    def stop(self) -> None:
        _stop(self.process)


def prefect_client_settings(server: PrefectServer) -> Any:
    """A settings context pointing this (test) process's Prefect client at `server`."""
    from prefect.settings import (
        PREFECT_API_AUTH_STRING,
        PREFECT_API_URL,
        PREFECT_UI_URL,
        temporary_settings,
    )

    updates: dict[Any, Any] = {PREFECT_API_URL: server.api_url, PREFECT_UI_URL: server.ui_url}
    if server.auth_string:
        updates[PREFECT_API_AUTH_STRING] = server.auth_string
    return temporary_settings(updates=updates)


def flow_run_state(flow_run_id: Any) -> Any:
    """The run's current state, read through the API."""
    from prefect import get_client

    with get_client(sync_client=True) as client:
        return client.read_flow_run(flow_run_id).state


def _wait_on_run(
    flow_run_id: Any, what: str, probe: Callable[[Any], T | None], timeout: float
) -> T:
    """Poll `probe` with the run's current state until it returns something; AssertionError at
    once when the run ended before that, or after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        state = flow_run_state(flow_run_id)
        found = probe(state) if state is not None else None
        if found:
            return found
        if state is not None and state.is_final():
            raise AssertionError(f"run {flow_run_id} ended {state.name}: {state.message}")
        if time.monotonic() > deadline:
            raise AssertionError(f"run {flow_run_id} not {what} after {timeout:g}s: {state}")
        time.sleep(0.5)


def wait_for_state(flow_run_id: Any, names: set[str], timeout: float = 180) -> Any:
    """Wait until the run's state is one of `names` (e.g. {"Completed"}); fail fast on a crash.
    Before resuming a run, wait_for_gate: Suspended alone does not mean its form is saved."""
    return _wait_on_run(
        flow_run_id, str(sorted(names)), lambda s: s if s.name in names else None, timeout
    )


def run_input_saved(flow_run_id: Any, key: str) -> bool:
    """Whether the run has an input under `key` (GET /flow_runs/{id}/input/{key})."""
    from prefect import get_client

    with get_client(sync_client=True) as client:
        try:
            client.read_flow_run_input(flow_run_id, key)
        except httpx.HTTPStatusError as exc:
            if exc.response.status_code == 404:
                return False
            raise
    return True


def wait_for_gate(
    flow_run_id: Any, key: str | None = None, described: bool = True, timeout: float = 180
) -> Any:
    """Wait until the run waits at gate `key` (any gate when None) with its Resume form saved;
    its Suspended state. A run waiting for input is set Suspended first and saves the form's
    schema (then its description, which every csflows gate has: `described`) after, so a resume
    in between is refused "Run input schema not found"."""
    parts = ("schema", "description") if described else ("schema",)

    def at_gate(state: Any) -> Any:
        details = state.state_details
        if state.name != "Suspended" or (key is not None and details.pause_key != key):
            return None
        keyset = details.run_input_keyset  # none: a gate without a form
        if keyset and not all(run_input_saved(flow_run_id, keyset[p]) for p in parts):
            return None
        return state

    return _wait_on_run(flow_run_id, f"waiting at gate {key or 'any'}", at_gate, timeout)


def wait_for_deployment(name: str, timeout: float = 120) -> Any:
    """Wait until `flow/deployment` is registered (the serve process is up)."""
    from prefect import get_client

    def probe() -> Any:
        with get_client(sync_client=True) as client:
            return client.read_deployment_by_name(name)

    return wait_for(f"deployment {name}", probe, timeout=timeout)
