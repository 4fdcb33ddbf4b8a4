"""The operations flows the automations start (served with every other deployment)."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from logging import Logger, LoggerAdapter
from typing import Any
from uuid import UUID

from prefect import flow, get_client, get_run_logger
from prefect.client.schemas.objects import FlowRun, WorkerStatus
from prefect.events.filters import (
    EventFilter,
    EventNameFilter,
    EventOccurredFilter,
    EventOrder,
    EventResourceFilter,
)
from prefect.events.schemas.events import ResourceSpecification
from prefect.states import Crashed, Scheduled

from csflows.ops.policy import (
    heartbeat_silence,
    pending_looks,
    pending_silence,
    why_requeue,
    worker_lost,
)
from tasks.deployment_runs import start_run

CHECK = "check-silent-run"  # this flow's name, and its deployment's
WORKER_LABEL = "prefect.worker.name"  # the label a worker gives each run it takes
OFFLINE_AFTER_HEARTBEATS = 3  # Prefect counts a worker offline after this many missed heartbeats
DEFAULT_WORKER_HEARTBEAT = 30  # seconds, Prefect's PREFECT_WORKER_HEARTBEAT_SECONDS default


@flow(name=CHECK, persist_result=False)
def check_silent_run(flow_run_id: str, look: int = 1) -> str:
    """Look at a flow run (its id, or its event resource id `prefect.flow-run.<id>`) an
    automation found silent: mark it Crashed when it is still Running although its heartbeats
    stopped; put it back in the queue when it is still Pending (taken, not started) and the
    worker that took it is gone or restarted, else look again later (`look`: this look's count).

    Started by the "run without heartbeat" and "run taken but not started" automations. The
    check is here, not in the automation, so that a run whose last heartbeat raced its
    suspension is left alone (only a Running run is crashed; Suspended, Paused and finished runs
    are never touched), and a run a live worker is still starting is not started twice."""
    logger = get_run_logger()
    with get_client(sync_client=True) as client:
        run = client.read_flow_run(UUID(flow_run_id.removeprefix("prefect.flow-run.")))
        state = run.state
        if state is not None and state.is_pending():
            return requeue_if_lost(client, run, look, logger)
        if state is None or not state.is_running():
            name = state.name if state else "no state"
            logger.info("flow run %s is %s, not Running: left as it is", run.name, name)
            return f"left {name}"
        minutes = heartbeat_silence().total_seconds() / 60
        message = f"No heartbeat for {minutes:g} minutes: its process is gone (csflows)."
        client.set_flow_run_state(run.id, Crashed(message=message), force=True)
        logger.warning("flow run %s marked Crashed: %s", run.name, message)
        return "crashed"


def requeue_if_lost(
    client: Any, run: FlowRun, look: int, logger: Logger | LoggerAdapter[Any]
) -> str:
    """A Pending run back to Scheduled, for any worker of its pool to take, once the worker that
    took it is offline or has restarted (`why_requeue`); else a look again after
    `pending_silence`. Nothing of it ran, so nothing is done twice; the store's unique rows and
    the outbox would keep a second attempt's results and mail single all the same."""
    taken = run.state
    assert taken is not None
    label = run.labels.get(WORKER_LABEL) if run.labels else None
    worker = str(label) if label is not None else None
    if run.work_pool_name is None:  # a served run: its serve process starts it or is gone
        logger.info("flow run %s is Pending outside a work pool: left", run.name)
        return "left Pending"
    restarted = _started_since(client, worker, taken.timestamp) if worker else None
    online = set() if restarted else _online(client, run.work_pool_name, worker)
    why = why_requeue(worker, online, restarted, look)
    if why is None:
        again = _look_again(run, look)
        logger.info(
            "flow run %s is Pending on live worker %s: looking again %s", run.name, worker, again
        )
        return "left Pending"
    state = client.read_flow_run(run.id).state
    if state is None or state.id != taken.id:  # it moved on meanwhile (another check's, too)
        return f"left {state.name if state else 'no state'}"
    message = f"{why}: back in the queue for another worker (csflows)."
    client.set_flow_run_state(run.id, Scheduled(message=message), force=True)
    logger.warning("flow run %s requeued: %s", run.name, message)
    return "requeued"


def _started_since(client: Any, worker: str, since: datetime) -> datetime | None:
    """When `worker` last started (its `prefect.worker.started` event) after `since`, if it did."""
    found = client.read_events(
        EventFilter(
            occurred=EventOccurredFilter(since=since, until=datetime.now(UTC)),
            event=EventNameFilter(name=["prefect.worker.started"]),
            resource=EventResourceFilter(
                labels=ResourceSpecification({"prefect.resource.name": worker})
            ),
            order=EventOrder.DESC,
        ),
        limit=1,
    )
    return found.events[0].occurred if found.events else None


def _look_again(run: FlowRun, look: int) -> str:
    """The next look at `run`, a check-silent-run run scheduled `pending_silence` from now (no
    process until then), once per look (its idempotency key)."""
    at = datetime.now(UTC) + pending_silence()
    start_run(
        f"{CHECK}/{CHECK}",
        {"flow_run_id": str(run.id), "look": look + 1},
        kept=f"flow run {run.name} stays Pending until its automation fires again",
        idempotency_key=f"pending:{run.id}:{run.state_id}:look-{look + 1}",
        at=at,
    )
    return f"at {at:%H:%M:%S} UTC (look {look + 1} of {pending_looks()})"


def _online(client: Any, pool: str, worker: str | None) -> set[str]:
    """The pool's online workers, once `worker`'s status is settled: counted offline on two reads
    a heartbeat apart (one late heartbeat on a busy machine is not a lost one), or online for a
    whole horizon of its heartbeats (a worker lost just now is not counted offline at once)."""
    deadline: datetime | None = None
    offline_before = False
    while True:
        # a limit: Prefect 3.8.8 sends `limit: null` without one, which its server refuses (422)
        workers = client.read_workers_for_work_pool(pool, offset=0, limit=200)
        online = {w.name for w in workers if w.status == WorkerStatus.ONLINE}
        mine = next((w for w in workers if w.name == worker), None)
        if mine is None or (worker_lost(worker, online) and offline_before):
            return online  # unknown (died before it labelled the run), or offline twice
        every = mine.heartbeat_interval_seconds or DEFAULT_WORKER_HEARTBEAT
        offline_before = worker_lost(worker, online)
        if deadline is None:
            # a heartbeat arriving during the wait moves the horizon; stop after one horizon
            deadline = datetime.now(UTC) + timedelta(seconds=every * OFFLINE_AFTER_HEARTBEATS + 5)
        if datetime.now(UTC) >= deadline and not offline_before:
            return online
        time.sleep(every if offline_before else min(every, 5))
