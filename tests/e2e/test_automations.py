"""csflows' automations against a real Prefect server and `csflows serve`, with short waits:
an approval waiting past the reminder time mails the supervisor, a Running run whose heartbeats
stop is marked Crashed, a Suspended run (no heartbeats) is never, a lost serve process mails the
on-call address, and a second `csflows serve` leaves exactly one of each automation."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from typing import Any
from uuid import UUID

import httpx
import pytest
from prefect import get_client
from prefect.client.schemas.filters import FlowFilter, FlowFilterName
from prefect.client.schemas.sorting import FlowRunSort
from prefect.events import emit_event
from prefect.events.worker import EventsWorker
from prefect.settings import PREFECT_API_URL
from prefect.states import Running

from csflows.ops.policy import operations_policy
from csflows.vetting.policy import approval_policy
from deployments.automations import (
    CHECK_DEPLOYMENT,
    LOST_SERVE,
    SILENT_RUN,
    STUCK_APPROVAL,
    SUPERVISOR_TAG,
    TAKEN_NOT_STARTED,
)
from tests.e2e.conftest import VettingStack, running_stack
from tests.support.operator_flows import DEPLOYMENT, operator_step
from tests.support.prefect_server import (
    PrefectServer,
    ServeProcess,
    flow_run_state,
    prefect_client_settings,
    wait_for,
    wait_for_deployment,
    wait_for_state,
)

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.timeout(240)]

STUCK_SECONDS = 15  # the approval reminder time, shortened
SILENCE_SECONDS = 45  # heartbeat silence before a run counts as lost (heartbeats every 30 s)
HEARTBEAT_EVERY = "30"  # Prefect's least heartbeat frequency
QUICKSTART_SERVER = [sys.executable, "-m", "deployments.prefect_server"]
NAMES = {STUCK_APPROVAL, SILENT_RUN, LOST_SERVE, TAKEN_NOT_STARTED}


@pytest.fixture(scope="module")
def prefect_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrefectServer]:
    """The quick start's server; a deployment not polled for 15 s counts as not ready."""
    settings = {
        "PREFECT_SERVER_SERVICES_FOREMAN_LOOP_SECONDS": "5",
        "PREFECT_SERVER_SERVICES_FOREMAN_DEPLOYMENT_LAST_POLLED_TIMEOUT_SECONDS": "15",
    }
    home = tmp_path_factory.mktemp("automations")
    server = PrefectServer(home, settings=settings, command=QUICKSTART_SERVER).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def worker_settings() -> dict[str, str]:
    return {
        "CSFLOWS_STUCK_APPROVAL_SECONDS": str(STUCK_SECONDS),
        "CSFLOWS_HEARTBEAT_SILENCE_SECONDS": str(SILENCE_SECONDS),
        "PREFECT_FLOWS_HEARTBEAT_FREQUENCY": HEARTBEAT_EVERY,
    }


@pytest.fixture(scope="module")
def vetting_stack(
    prefect_server: PrefectServer,
    tmp_path_factory: pytest.TempPathFactory,
    worker_settings: dict[str, str],
) -> Iterator[VettingStack]:
    with running_stack(prefect_server, tmp_path_factory.mktemp("ops-home"), worker_settings) as s:
        yield s


@pytest.fixture(scope="module")
def operator_serve(vetting_stack: VettingStack) -> Iterator[ServeProcess]:
    """A deployment whose runs wait for an operator (Suspended), with heartbeats on."""
    command = [sys.executable, "-m", "tests.support.operator_flows"]
    log = vetting_stack.home / "operator-serve.log"
    serve = ServeProcess(vetting_stack.env, log, command=command).start()
    with prefect_client_settings(vetting_stack.prefect):
        wait_for_deployment(DEPLOYMENT)
    yield serve
    serve.stop()


def automations_named() -> dict[str, list[Any]]:
    with get_client(sync_client=True) as client:
        return {name: client.read_automations_by_name(name) for name in NAMES}


def waiting_run(tags: list[str]) -> UUID:
    """An operator-step run that suspends for the operator, tagged `tags`."""
    with get_client(sync_client=True) as client:
        deployment = client.read_deployment_by_name(DEPLOYMENT)
        run = client.create_flow_run_from_deployment(
            deployment.id, parameters={"wait": True}, tags=tags
        )
    wait_for_state(run.id, {"Suspended"}, timeout=120)
    return run.id


def test_a_second_serve_leaves_one_of_each_automation(stack: VettingStack) -> None:
    first = automations_named()
    assert {name: len(found) for name, found in first.items()} == dict.fromkeys(NAMES, 1)
    second = ServeProcess(stack.env, stack.home / "serve-2.log").start()
    try:
        wait_for(
            "the second serve's automations",
            lambda: "automations in place" in (stack.home / "serve-2.log").read_text(),
            timeout=120,
        )
    finally:
        second.stop()
    again = automations_named()
    assert {name: [a.id for a in found] for name, found in again.items()} == {
        name: [a.id for a in found] for name, found in first.items()
    }  # updated in place: same ids, no duplicates
    assert all(found[0].enabled for found in again.values())


def test_an_approval_waiting_past_the_reminder_time_mails_the_supervisor(
    stack: VettingStack, operator_serve: ServeProcess
) -> None:
    supervisor = approval_policy().supervisor_email
    started = time.monotonic()
    run_id = waiting_run([SUPERVISOR_TAG])
    mail = wait_for(
        "the supervisor's mail",
        lambda: [m for m in stack.smtp.to(supervisor) if "Still waiting" in m.subject],
        timeout=STUCK_SECONDS + 90,
    )
    assert len(mail) == 1
    assert f"/runs/flow-run/{run_id}" in mail[0].text
    assert time.monotonic() - started >= STUCK_SECONDS
    assert flow_run_state(run_id).name == "Suspended"


def check_runs() -> list[Any]:
    """Every check-silent-run run so far."""
    only = FlowFilter(name=FlowFilterName(any_=[CHECK_DEPLOYMENT]))
    with get_client(sync_client=True) as client:
        return client.read_flow_runs(flow_filter=only, sort=FlowRunSort.ID_DESC, limit=200)


def checks_of(run_id: UUID) -> list[Any]:
    """The check-silent-run runs started for `run_id`."""
    return [r for r in check_runs() if str(run_id) in str(r.parameters.get("flow_run_id", ""))]


def test_a_suspended_run_outlives_the_heartbeat_window(
    stack: VettingStack, operator_serve: ServeProcess
) -> None:
    """Its last heartbeat reaches the server after its Suspended state (events travel in
    batches), so the trigger may fire: check-silent-run then finds it Suspended and leaves it."""
    run_id = waiting_run([])
    time.sleep(SILENCE_SECONDS + 30)  # past the window: the trigger has fired, if it does
    wait_for(
        "every check of the run finished",
        lambda: all(r.state and r.state.is_final() for r in checks_of(run_id)),
        timeout=90,
    )
    assert flow_run_state(run_id).name == "Suspended"
    assert all(r.state.name == "Completed" for r in checks_of(run_id))


def recorded(event: str, resource_id: str) -> bool:
    """Whether the server has stored `event` about `resource_id` (POST /events/filter)."""
    body = {"filter": {"event": {"name": [event]}, "resource": {"id": [resource_id]}}, "limit": 1}
    reply = httpx.post(f"{PREFECT_API_URL.value()}/events/filter", json=body, timeout=30)
    reply.raise_for_status()
    return bool(reply.json()["events"])


def test_a_running_run_whose_heartbeats_stop_is_marked_crashed(stack: VettingStack) -> None:
    """A run Running on the server whose process is gone: one heartbeat, then silence."""
    with get_client(sync_client=True) as client:
        run = client.create_flow_run(operator_step, state=Running())
    wait_for(  # the Running event first: one after the heartbeat would count as a sign of life
        "the run's Running event recorded",
        lambda: recorded("prefect.flow-run.Running", f"prefect.flow-run.{run.id}"),
        timeout=120,
    )
    emit_event(  # as the engine sends it: the run, and its flow as a related resource
        event="prefect.flow-run.heartbeat",
        resource={"prefect.resource.id": f"prefect.flow-run.{run.id}"},
        related=[
            {
                "prefect.resource.id": f"prefect.flow.{run.flow_id}",
                "prefect.resource.role": "flow",
                "prefect.resource.name": operator_step.name,
            }
        ],
    )
    EventsWorker.drain_all()
    state = wait_for_state(run.id, {"Crashed"}, timeout=SILENCE_SECONDS + 120)
    assert "No heartbeat" in (state.message or "")
    target_of = {  # a check's own run starts no further check
        str(r.id): str(r.parameters["flow_run_id"]).removeprefix("prefect.flow-run.")
        for r in check_runs()
    }
    assert str(run.id) in target_of.values()
    assert not set(target_of) & set(target_of.values())


def test_a_lost_serve_process_mails_the_on_call_address(stack: VettingStack) -> None:
    on_call = operations_policy().on_call_email
    assert stack.serve is not None
    stack.serve.kill()
    mail = wait_for(
        "the on-call mail",
        lambda: [m for m in stack.smtp.to(on_call) if "no serve process" in m.subject],
        timeout=120,
    )
    assert "check-silent-run" in mail[0].text
