"""Start a deployment's run from code (a ticket's route, the review queue, `csflows vet`), and
check the Prefect server answers before a command runs a flow: Prefect's failures become csflows
errors that say what was kept and what to do, so the command line ends in one line."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from uuid import UUID

import httpx
from prefect.client.orchestration import get_client
from prefect.deployments import run_deployment
from prefect.exceptions import ObjectNotFound
from prefect.settings import PREFECT_API_URL

from csflows.errors import DeploymentNotServed, PrefectUnavailable

START_THEM = "start the deployments: scripts/start, or `csflows serve` with PREFECT_API_URL set"
START_SERVER = "start it with scripts/start, or point PREFECT_API_URL at a server that runs"


def start_run(
    deployment: str, parameters: dict[str, Any], kept: str, idempotency_key: str | None = None
) -> UUID:
    """A run of `deployment` (its id), not waited for; `kept` says what waits when it cannot
    start (DeploymentNotServed, PrefectUnavailable)."""
    with prefect_errors(deployment, kept):
        run: Any = run_deployment(  # the sync form: a FlowRun
            deployment, parameters=parameters, timeout=0, idempotency_key=idempotency_key
        )
    return UUID(str(run.id))


@contextmanager
def prefect_errors(deployment: str, kept: str) -> Iterator[None]:
    """Prefect's "no such deployment" and "no server answers" inside, as csflows errors."""
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


def require_prefect_server() -> None:
    """PrefectUnavailable unless the server at PREFECT_API_URL answers (with none set, Prefect
    starts a temporary one for the command)."""
    if not PREFECT_API_URL.value():
        return
    failure = get_client(sync_client=True).api_healthcheck()
    if failure is not None:
        raise PrefectUnavailable(
            f"{_no_answer(failure)}: nothing was started; {START_SERVER}"
        ) from failure


def _not_served(deployment: str) -> str:
    url = PREFECT_API_URL.value()
    if url:
        return f"the {deployment} deployment is not served at {url}"
    return (
        f"the {deployment} deployment cannot start: PREFECT_API_URL is not set, so this command "
        "used a temporary Prefect server that serves nothing"
    )


def _no_answer(exc: BaseException) -> str:
    return (
        f"no Prefect server answers at {PREFECT_API_URL.value()} ({exc.__class__.__name__}: {exc})"
    )
