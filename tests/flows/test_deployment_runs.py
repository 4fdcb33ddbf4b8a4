"""A run a flow starts (triage routing a form to vetting, a burst's own runs) is a procedure of
its own, not a subflow of the run that started it: cancelling the caller leaves it alone."""

from __future__ import annotations

from uuid import UUID

from prefect import flow, get_client

from tasks.deployment_runs import start_run
from tests.unit.sample_flow import hello

DEPLOYMENT = "hello/started-by-a-flow"


@flow
def starts_one() -> UUID:
    """A flow that starts a run of DEPLOYMENT, as triage starts a vetting run."""
    return start_run(DEPLOYMENT, {"who": "team"}, kept="nothing")


def test_a_run_started_inside_a_flow_has_no_parent_run() -> None:
    with get_client(sync_client=True) as client:
        flow_id = client.create_flow(hello)
        client.create_deployment(
            flow_id, "started-by-a-flow", entrypoint="tests/unit/sample_flow.py:hello"
        )
    started = starts_one()
    with get_client(sync_client=True) as client:
        run = client.read_flow_run(started)
    assert run.parameters == {"who": "team"}
    assert run.parent_task_run_id is None  # a subflow would be cancelled with its caller
