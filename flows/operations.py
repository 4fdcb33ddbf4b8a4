"""The operations flows the automations start (served with every other deployment)."""

from __future__ import annotations

from uuid import UUID

from prefect import flow, get_client, get_run_logger
from prefect.states import Crashed

from csflows.ops.policy import heartbeat_silence


@flow(name="check-silent-run", persist_result=False)
def check_silent_run(flow_run_id: str) -> str:
    """Mark a flow run (its id, or its event resource id `prefect.flow-run.<id>`) Crashed when it is still Running although its heartbeats stopped.

    Started by the "run without heartbeat" automation. The check is here, not in the automation,
    so that a run whose last heartbeat raced its suspension is left alone: only a Running run is
    crashed; Suspended, Paused and finished runs are never touched."""
    logger = get_run_logger()
    with get_client(sync_client=True) as client:
        run = client.read_flow_run(UUID(flow_run_id.removeprefix("prefect.flow-run.")))
        state = run.state
        if state is None or not state.is_running():
            name = state.name if state else "no state"
            logger.info("flow run %s is %s, not Running: left as it is", run.name, name)
            return f"left {name}"
        minutes = heartbeat_silence().total_seconds() / 60
        message = f"No heartbeat for {minutes:g} minutes: its process is gone (csflows)."
        client.set_flow_run_state(run.id, Crashed(message=message), force=True)
        logger.warning("flow run %s marked Crashed: %s", run.name, message)
        return "crashed"
