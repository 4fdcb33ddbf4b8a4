"""Gates without processes: a deployment's flow run created through the API already Suspended at
its gate, with its Resume form and description, as `suspend_flow_run(wait_for_input=form,
key=K)` would have left it. No process runs for it until a person resumes it; then the served
deployment runs the flow from the top, and its `suspend_flow_run(..., key=K)` finds the answer
and returns it without suspending again.

Any gate can be created this way when whoever creates it has already done what the flow does
before the gate (and the flow finds it done on resume). What the run must carry (measured on
Prefect 3.8.8, ../ARCHITECTURE.md "Gates without processes"): the Suspended state with
`pause_reschedule`, `pause_key` and the keyset Prefect derives from that state; K in
`empirical_policy.pause_keys` (creating a run with a state skips the server rule that adds it;
without it the resumed flow suspends again and is stuck); the schema input (Prefect's own
schema function on the same RunInput class, so the server validates answers as the flow reads
them) and the description input.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from uuid import UUID

import httpx
import orjson
from prefect._internal.pydantic.v2_schema import create_v2_schema  # what RunInput.save uses
from prefect.client.orchestration import SyncPrefectClient
from prefect.client.schemas.actions import StateCreate
from prefect.input import RunInput
from prefect.input.run_input import Keyset, keyset_from_paused_state
from prefect.states import State, Suspended


@dataclass(frozen=True)
class SuspendedGate:
    """One flow run of a deployment to create at its gate `key` (the flow's `key=`), asking
    `form` (a RunInput with its description and pre-filled answers: `with_context`), named and
    tagged as the flow itself would name and tag it; once per `idempotency_key`."""

    key: str
    form: type[RunInput]
    parameters: dict[str, Any]
    name: str
    idempotency_key: str
    tags: list[str] = field(default_factory=list)
    timeout: timedelta | None = None  # as suspend_flow_run(timeout=...): none, like our flows


def suspended_state(key: str, timeout: timedelta | None = None) -> StateCreate:
    """The state `suspend_flow_run(wait_for_input=..., key=key, timeout=...)` proposes, with the
    run-input keyset the flow will read its answer from."""
    seconds = int(timeout.total_seconds()) if timeout is not None else None
    state: State[Any] = Suspended(timeout_seconds=seconds, pause_key=key)
    state.state_details.run_input_keyset = {
        k: v for k, v in keyset_from_paused_state(state).items()
    }
    return StateCreate(
        type=state.type, name=state.name, message=None, state_details=state.state_details
    )


def keyset(gate: SuspendedGate) -> Keyset:
    """The flow-run input keys of the gate's schema, description and (the person's) response."""
    return keyset_from_paused_state(Suspended(pause_key=gate.key))


def run_payload(gate: SuspendedGate) -> dict[str, Any]:
    """The body of `POST /deployments/{id}/create_flow_run` for the gate: its state, and its key
    in `pause_keys` (the client's create_flow_run_from_deployment has no argument for it)."""
    state = suspended_state(gate.key, gate.timeout)
    return {
        "name": gate.name,
        "parameters": gate.parameters,
        "tags": sorted(set(gate.tags)),
        "idempotency_key": gate.idempotency_key,
        "state": state.model_dump(mode="json", exclude_unset=True),
        "empirical_policy": {"pause_keys": [gate.key], "resuming": False},
    }


def form_inputs(gate: SuspendedGate) -> dict[str, Any]:
    """The flow-run inputs the Resume dialog reads, as `RunInput.save` writes them: the schema
    (Prefect's own schema function for the form) and, when the form has one, its description."""
    keys = keyset(gate)
    form = gate.form
    inputs: dict[str, Any] = {keys["schema"]: create_v2_schema(form.__name__, model_base=form)}
    description = form._description if isinstance(form._description, str) else None
    if description:
        inputs[keys["description"]] = description
    return inputs


def create_gate(client: SyncPrefectClient, deployment_id: UUID, gate: SuspendedGate) -> UUID:
    """The gate's flow run (its id): created Suspended with its inputs, or the one created before
    under the same idempotency key, its inputs completed (a process killed in between)."""
    reply = client.request(
        "POST",
        "/deployments/{id}/create_flow_run",
        path_params={"id": deployment_id},
        json=run_payload(gate),
    )
    reply.raise_for_status()
    run_id = UUID(reply.json()["id"])
    for key, value in form_inputs(gate).items():
        _save_input(client, run_id, key, value)
    return run_id


def _save_input(client: SyncPrefectClient, run_id: UUID, key: str, value: Any) -> None:
    """One flow-run input; already there (409: an earlier attempt saved it) is saved."""
    try:
        client.create_flow_run_input(run_id, key, orjson.dumps(value).decode())
    except httpx.HTTPStatusError as exc:
        if exc.response.status_code != httpx.codes.CONFLICT:
            raise


def deployment_id(client: SyncPrefectClient, name: str) -> UUID:
    """The id of deployment `flow-name/deployment-name`."""
    return client.read_deployment_by_name(name).id


def attach_markdown(
    client: SyncPrefectClient, run_id: UUID, key: str, markdown: str, description: str
) -> None:
    """A markdown artifact on the gate's run (what the flow would have published before its
    gate, e.g. a scorecard), as `create_markdown_artifact` inside that run would make it."""
    from prefect.client.schemas.actions import ArtifactCreate

    client.create_artifact(
        ArtifactCreate(
            key=key, type="markdown", data=markdown, description=description, flow_run_id=run_id
        )
    )
