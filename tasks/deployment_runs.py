"""Start a deployment's run from code (a ticket's route, the review queue, `csflows vet`), and
check the Prefect server answers before a command runs a flow: Prefect's failures become csflows
errors that say what was kept and what to do, so the command line ends in one line."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any
from uuid import UUID

import httpx
from prefect.client.orchestration import get_client
from prefect.deployments import run_deployment
from prefect.exceptions import ObjectNotFound
from prefect.settings import PREFECT_API_URL

from csflows.errors import DeploymentNotServed, PrefectUnavailable, SettingMissing

START_THEM = "start the deployments: scripts/start, or `csflows serve` with PREFECT_API_URL set"
NOT_SET = "PREFECT_API_URL is not set"
START_SERVER = "start it with scripts/start, or point PREFECT_API_URL at a server that runs"


def start_run(
    deployment: str,
    parameters: dict[str, Any],
    kept: str,
    idempotency_key: str | None = None,
    at: datetime | None = None,
) -> UUID:
    """A run of `deployment` (its id), not waited for, scheduled `at` (None: now); `kept` says what waits when it cannot
    start (DeploymentNotServed, PrefectUnavailable, SettingMissing with no server configured).
    Started from a flow, it is a procedure of its own, not a subflow of the caller: Prefect
    cancels a subflow with its parent, and a vetting run outlives the triage run by weeks."""
    with prefect_errors(deployment, kept):
        run: Any = run_deployment(  # the sync form: a FlowRun
            deployment,
            parameters=parameters,
            timeout=0,
            idempotency_key=idempotency_key,
            as_subflow=False,
            scheduled_time=at,
        )
    return UUID(str(run.id))


@contextmanager
def prefect_errors(deployment: str, kept: str) -> Iterator[None]:
    """Prefect's "no such deployment" and "no server answers" inside, as csflows errors; with
    no server configured, SettingMissing before anything runs (else Prefect would start a
    temporary server that serves nothing)."""
    if not prefect_server_configured():
        raise SettingMissing(
            f"{NOT_SET}, so nothing can start {deployment}: {kept}; {START_SERVER}"
        )
    try:
        yield
    except ObjectNotFound as exc:
        raise DeploymentNotServed(f"{_not_served(deployment)}: {kept}; {START_THEM}") from exc
    except httpx.TransportError as exc:
        raise PrefectUnavailable(f"{_no_answer(exc)}: {kept}; {START_SERVER}") from exc
    except RuntimeError as exc:  # Prefect's "Failed to reach API", raised from httpx's error
        if not isinstance(exc.__cause__, httpx.TransportError):
            raise
        raise PrefectUnavailable(f"{_no_answer(exc.__cause__)}: {kept}; {START_SERVER}") from exc


def prefect_server_configured() -> bool:
    """Whether PREFECT_API_URL names a server: without it, the first call that needs the API
    starts a temporary Prefect server (15 s to minutes) that is gone when the command ends."""
    return bool(PREFECT_API_URL.value())


def needs_prefect_server(what: str) -> None:
    """SettingMissing saying that `what` needs the Prefect server and how to start it, when none
    is configured; PrefectUnavailable when the configured one does not answer."""
    if not prefect_server_configured():
        raise SettingMissing(f"{NOT_SET}: {what} needs the Prefect server; {START_SERVER}")
    require_prefect_server()


def require_prefect_server() -> None:
    """PrefectUnavailable unless the server at PREFECT_API_URL answers (with none set, nothing:
    the caller runs without a server)."""
    if not prefect_server_configured():
        return
    failure = get_client(sync_client=True).api_healthcheck()
    if failure is not None:
        raise PrefectUnavailable(
            f"{_no_answer(failure)}: nothing was started; {START_SERVER}"
        ) from failure


def _not_served(deployment: str) -> str:
    return f"the {deployment} deployment is not served at {PREFECT_API_URL.value()}"


def _no_answer(exc: BaseException) -> str:
    return (
        f"no Prefect server answers at {PREFECT_API_URL.value()} ({exc.__class__.__name__}: {exc})"
    )
