"""A gate created without a process carries what `suspend_flow_run(wait_for_input=form, key=K)`
would have left on the run: the Suspended state with its keyset, K among the pause keys, the
form's schema as Prefect writes it and its description."""

from __future__ import annotations

from datetime import timedelta

from prefect.client.schemas.objects import StateType
from prefect.input import RunInput
from prefect.input.run_input import keyset_from_paused_state
from prefect.states import Suspended
from pydantic import Field

from csflows.run_inputs import with_context
from tasks.suspended_gates import SuspendedGate, form_inputs, run_payload, suspended_state


class Answer(RunInput):
    decision: str = Field(description="what the person decides")
    reviewer: str = Field(description="who decides")


def gate(**changes: object) -> SuspendedGate:
    fields: dict[str, object] = {
        "key": "approval-1",
        "form": with_context(Answer, "**Decide** on inquiry 7", decision="approve"),
        "parameters": {"form": {"business_name": "Paper Lantern"}, "source": "burst"},
        "name": "vet-paper-lantern-7",
        "idempotency_key": "inquiry:7:approval-1",
        "tags": ["division:craft_hobby", "awaiting:supervisor"],
    }
    return SuspendedGate(**{**fields, **changes})  # type: ignore[arg-type]


def test_the_state_is_the_one_suspend_flow_run_proposes_with_its_keyset() -> None:
    state = suspended_state("approval-1")
    expected = Suspended(pause_key="approval-1")
    assert state.type is StateType.PAUSED and state.name == "Suspended"
    assert state.state_details.pause_key == "approval-1"
    assert state.state_details.pause_reschedule is True
    assert state.state_details.pause_timeout is None  # our flows suspend without a timeout
    assert state.state_details.run_input_keyset == keyset_from_paused_state(expected)
    assert state.state_details.run_input_keyset == {
        "schema": "suspended-approval-1-schema",
        "description": "suspended-approval-1-description",
        "response": "suspended-approval-1-response",
    }


def test_a_timeout_becomes_the_pause_expiry() -> None:
    state = suspended_state("answer-2", timedelta(days=3))
    assert state.state_details.pause_timeout is not None


def test_the_run_carries_its_pause_key_name_tags_and_idempotency_key() -> None:
    payload = run_payload(gate())
    assert payload["empirical_policy"]["pause_keys"] == ["approval-1"]  # else stuck on resume
    assert payload["state"]["type"] == "PAUSED"
    assert payload["state"]["state_details"]["pause_key"] == "approval-1"
    assert payload["state"]["state_details"]["run_input_keyset"]["response"] == (
        "suspended-approval-1-response"
    )
    assert payload["name"] == "vet-paper-lantern-7"
    assert payload["tags"] == ["awaiting:supervisor", "division:craft_hobby"]
    assert payload["idempotency_key"] == "inquiry:7:approval-1"
    assert payload["parameters"]["source"] == "burst"


def test_the_inputs_are_the_forms_schema_and_its_description() -> None:
    inputs = form_inputs(gate())
    schema = inputs["suspended-approval-1-schema"]
    assert schema["properties"]["decision"]["default"] == "approve"  # pre-filled
    assert schema["properties"]["reviewer"]["description"] == "who decides"
    assert "reviewer" in schema["required"]
    assert inputs["suspended-approval-1-description"] == "**Decide** on inquiry 7"


def test_a_form_without_a_description_saves_only_its_schema() -> None:
    assert list(form_inputs(gate(form=Answer))) == ["suspended-approval-1-schema"]
