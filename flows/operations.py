"""The operations flows the automations start (served with every other deployment)."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from logging import Logger, LoggerAdapter
from typing import Any
from uuid import UUID

from prefect import flow, get_client, get_run_logger
from prefect.client.schemas.objects import FlowRun, WorkerStatus
from prefect.states import Crashed, Scheduled

from csflows.ops.policy import heartbeat_silence, worker_lost

WORKER_LABEL = "prefect.worker.name"  # the label a worker gives each run it takes
OFFLINE_AFTER_HEARTBEATS = 3  # Prefect counts a worker offline after this many missed heartbeats
DEFAULT_WORKER_HEARTBEAT = 30  # seconds, Prefect's PREFECT_WORKER_HEARTBEAT_SECONDS default


@flow(name="check-silent-run", persist_result=False)
def check_silent_run(flow_run_id: str) -> str:
    """Look at a flow run (its id, or its event resource id `prefect.flow-run.<id>`) an
    automation found silent: mark it Crashed when it is still Running although its heartbeats
    stopped; put it back in the queue when it is still Pending (taken, not started) and the
    worker that took it is gone.

    Started by the "run without heartbeat" and "run taken but not started" automations. The
    check is here, not in the automation, so that a run whose last heartbeat raced its
    suspension is left alone (only a Running run is crashed; Suspended, Paused and finished runs
    are never touched), and a run a live worker is still starting is not started twice."""
    logger = get_run_logger()
    with get_client(sync_client=True) as client:
        run = client.read_flow_run(UUID(flow_run_id.removeprefix("prefect.flow-run.")))
        state = run.state
        if state is not None and state.is_pending():
            return requeue_if_lost(client, run, logger)
        if state is None or not state.is_running():
            name = state.name if state else "no state"
            logger.info("flow run %s is %s, not Running: left as it is", run.name, name)
            return f"left {name}"
        minutes = heartbeat_silence().total_seconds() / 60
        message = f"No heartbeat for {minutes:g} minutes: its process is gone (csflows)."
        client.set_flow_run_state(run.id, Crashed(message=message), force=True)
        logger.warning("flow run %s marked Crashed: %s", run.name, message)
        return "crashed"


def requeue_if_lost(client: Any, run: FlowRun, logger: Logger | LoggerAdapter[Any]) -> str:
    """A Pending run back to Scheduled, for any worker of its pool to take, once the worker that
    took it is offline. Nothing of it ran, so nothing is done twice; the store's unique rows and
    the outbox would keep a second attempt's results and mail single all the same."""
    label = run.labels.get(WORKER_LABEL) if run.labels else None
    worker = str(label) if label is not None else None
    if run.work_pool_name is None or not _gone(client, run.work_pool_name, worker):
        logger.info("flow run %s is Pending on a live worker (%s): left", run.name, worker)
        return "left Pending"
    state = client.read_flow_run(run.id).state
    if state is None or not state.is_pending():  # it moved on meanwhile
        return f"left {state.name if state else 'no state'}"
    message = (
        f"Taken by worker {worker or '(unnamed)'}, which went offline before starting it:"
        " back in the queue for another worker (csflows)."
    )
    client.set_flow_run_state(run.id, Scheduled(message=message), force=True)
    logger.warning("flow run %s requeued: %s", run.name, message)
    return "requeued"


def _gone(client: Any, pool: str, worker: str | None) -> bool:
    """Whether `worker` is offline, waiting for Prefect to count it so when its last heartbeat is
    recent (a worker lost just now)."""
    deadline: datetime | None = None
    while True:
        # a limit: Prefect 3.8.8 sends `limit: null` without one, which its server refuses (422)
        workers = client.read_workers_for_work_pool(pool, offset=0, limit=200)
        online = {w.name for w in workers if w.status == WorkerStatus.ONLINE}
        if worker_lost(worker, online):
            return True
        mine = next(w for w in workers if w.name == worker)
        every = mine.heartbeat_interval_seconds or DEFAULT_WORKER_HEARTBEAT
        if deadline is None:
            # a heartbeat arriving during the wait moves the horizon; stop after one horizon
            deadline = datetime.now(UTC) + timedelta(seconds=every * OFFLINE_AFTER_HEARTBEATS + 5)
        if datetime.now(UTC) >= deadline:
            return False
        time.sleep(min(every, 5))
