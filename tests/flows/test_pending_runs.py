"""check-silent-run on a run still Pending on a worker that is online: it is looked at again
later (a check run scheduled, no process meanwhile), and after the last look it goes back to
the queue all the same. A worker lost or restarted is tests/e2e/test_two_machines.py's."""

from __future__ import annotations

import contextlib
import contextvars
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest
from prefect import get_client
from prefect.client.schemas.actions import WorkPoolCreate
from prefect.client.schemas.filters import DeploymentFilter, DeploymentFilterId
from prefect.client.schemas.sorting import FlowRunSort
from prefect.exceptions import ObjectAlreadyExists
from prefect.states import Pending

from csflows.ops.policy import pending_looks
from flows.operations import CHECK, WORKER_LABEL, check_silent_run
from tests.unit.sample_flow import hello

POOL = "pending-runs"
WORKER = "worker-alive"
SILENCE = timedelta(minutes=10)  # pending_silence here: one look to the next


BEAT = 2  # seconds between WORKER's heartbeats: the check watches it for three and some


@pytest.fixture
def worker_alive() -> Iterator[None]:
    """WORKER online in POOL: a heartbeat every second while the test runs."""
    with get_client(sync_client=True) as client:
        with contextlib.suppress(ObjectAlreadyExists):
            client.create_work_pool(WorkPoolCreate(name=POOL, type="process"))
        client.send_worker_heartbeat(POOL, WORKER, heartbeat_interval_seconds=BEAT)  # online now
    stop = threading.Event()

    def beat() -> None:
        with get_client(sync_client=True) as client:
            while not stop.is_set():
                client.send_worker_heartbeat(POOL, WORKER, heartbeat_interval_seconds=BEAT)
                stop.wait(1)

    # the harness's settings (its API URL) are context variables: the thread runs in a copy
    beating = threading.Thread(target=contextvars.copy_context().run, args=(beat,), daemon=True)
    beating.start()
    yield
    stop.set()
    beating.join()


@pytest.fixture
def taken_run(monkeypatch: pytest.MonkeyPatch, worker_alive: None) -> UUID:
    """A run of a pool deployment taken by WORKER (Pending, labelled), WORKER beating; and the
    check-silent-run deployment for the next look."""
    monkeypatch.setenv("CSFLOWS_PENDING_SILENCE_SECONDS", str(SILENCE.total_seconds()))
    with get_client(sync_client=True) as client:
        flow_id = client.create_flow_from_name(hello.name)
        deployment = client.create_deployment(flow_id, "pending-hello", work_pool_name=POOL)
        check = client.create_flow_from_name(CHECK)
        client.create_deployment(check, CHECK, entrypoint="flows/operations.py:check_silent_run")
        run = client.create_flow_run_from_deployment(deployment)
        client.update_flow_run_labels(run.id, {WORKER_LABEL: WORKER})
        client.set_flow_run_state(run.id, Pending(), force=True)
    return run.id


def next_looks(run_id: UUID) -> list[tuple[int, datetime]]:
    """The check runs scheduled for `run_id`: their look and when."""
    with get_client(sync_client=True) as client:
        check = client.read_deployment_by_name(f"{CHECK}/{CHECK}")
        runs = client.read_flow_runs(  # limit and sort: 3.8.8's client sends nulls, refused
            deployment_filter=DeploymentFilter(id=DeploymentFilterId(any_=[check.id])),
            limit=200,
            sort=FlowRunSort.EXPECTED_START_TIME_ASC,
        )
    return [
        (int(r.parameters["look"]), r.expected_start_time)
        for r in runs
        if r.parameters.get("flow_run_id") == str(run_id) and r.state and r.state.is_scheduled()
    ]


def state_of(run_id: UUID) -> tuple[str, str]:
    with get_client(sync_client=True) as client:
        state = client.read_flow_run(run_id).state
    assert state is not None
    return state.name, state.message or ""


def test_a_run_pending_on_a_live_worker_is_looked_at_again_after_the_wait(
    taken_run: UUID,
) -> None:
    before = datetime.now(UTC)
    assert check_silent_run(str(taken_run)) == "left Pending"
    after = datetime.now(UTC)
    assert state_of(taken_run)[0] == "Pending"
    [(look, at)] = next_looks(taken_run)
    assert look == 2
    assert before + SILENCE <= at <= after + SILENCE  # CSFLOWS_PENDING_SILENCE_SECONDS
    assert check_silent_run(str(taken_run)) == "left Pending"  # the same look: scheduled once
    assert len(next_looks(taken_run)) == 1


def test_a_run_still_pending_at_the_last_look_goes_back_to_the_queue(taken_run: UUID) -> None:
    last = pending_looks()
    assert check_silent_run(str(taken_run), look=last) == "requeued"
    name, message = state_of(taken_run)
    assert name == "Scheduled"
    assert f"worker {WORKER}, online but not starting it for {10 * last:g} minutes" in message
    assert next_looks(taken_run) == []
