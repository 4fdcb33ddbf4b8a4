"""A burst of returned forms in one run, in the Prefect test harness: each inquiry gets its own
vet-new-customer run created waiting at the approval gate (no process), with everything the
flow would have left there; a burst run again, or after one killed midway, creates only what is
missing and mails nobody twice. (Resuming such a gate in the served deployment: tests/e2e.)"""

from __future__ import annotations

import json
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from prefect import get_client
from prefect.client.schemas.filters import DeploymentFilter, DeploymentFilterId
from prefect.client.schemas.sorting import FlowRunSort
from sqlalchemy import select
from typer.testing import CliRunner

from cli import app
from csflows import store
from csflows.models import InquiryStatus
from csflows.store.tables import InquiryRow
from csflows.triage.mail import intake
from csflows.vetting.inquiries import Claim, InquiryRecord
from flows.vetting import vet_new_customer, watch_approvals
from flows.vetting_burst import vet_inquiry_burst
from tests.support.artifacts import artifacts_of_run
from tests.support.servers import HttpServer, SmtpServer
from tests.support.vetting_world import applicant_env, applicant_world, burst_forms


@pytest.fixture
def world(
    http_server: HttpServer, monkeypatch: pytest.MonkeyPatch, store_ready: object
) -> Iterator[str]:
    """Google, RDAP and the applicant's site on one local server; the site's URL."""
    applicant_world(http_server)
    for key, value in {"CSFLOWS_SKIP_BLOCK_LOOKUP": "1", **applicant_env(http_server)}.items():
        monkeypatch.setenv(key, value)
    yield f"http://paperlantern.test:{http_server.port}/"


@pytest.fixture(scope="module")
def vetting_deployment() -> UUID:
    """vet-new-customer as a deployment (nothing serves it: a gate needs no process)."""
    with get_client(sync_client=True) as client:
        flow_id = client.create_flow(vet_new_customer)
        return client.create_deployment(flow_id=flow_id, name="vet-new-customer")


def _run(run_id: str) -> Any:
    with get_client(sync_client=True) as client:
        return client.read_flow_run(UUID(run_id))


def _inputs(run_id: str) -> dict[str, Any]:
    with get_client(sync_client=True) as client:
        found = client.filter_flow_run_input(UUID(run_id), "suspended-approval-1", 10, set())
    return {i.key: i.decoded_value for i in found}


def left_by_a_killed_burst(site: str, email: str) -> tuple[dict[str, Any], Claim]:
    """A form a burst received and died before its gate ("burst-that-died" is no run the API
    knows, so it cannot finish anything)."""
    [form] = burst_forms(1, 1, site)
    form["email"] = email
    return form, InquiryRecord.receive(form, "burst-that-died", "burst", gate_pending=True)


def test_each_inquiry_waits_at_its_own_gate_created_without_a_process(
    world: str, smtp_server: SmtpServer, vetting_deployment: UUID
) -> None:
    forms = burst_forms(3, 2, world)
    outcome = vet_inquiry_burst(forms)

    assert len(outcome.gates) == 3 and len(set(outcome.gates.values())) == 3
    for inquiry_id, run_id in outcome.gates.items():
        run = _run(run_id)
        assert run.deployment_id == vetting_deployment
        assert run.state.type.value == "PAUSED" and run.state.name == "Suspended"
        assert run.state.state_details.pause_key == "approval-1"
        assert "approval-1" in run.empirical_policy.pause_keys
        assert run.start_time is None  # no process ran it
        assert run.name == f"vet-paper-lantern-crafts-llc-{inquiry_id}"
        assert {"awaiting:supervisor", "division:craft_hobby"} <= set(run.tags)
        inputs = _inputs(run_id)
        schema = inputs["suspended-approval-1-schema"]
        assert {"decision", "reviewer"} <= set(schema["properties"])
        assert "Recommendation: APPROVE" in inputs["suspended-approval-1-description"]
        inquiry = InquiryRecord.load(inquiry_id)
        assert inquiry.status is InquiryStatus.AWAITING_APPROVAL
        assert inquiry.flow_run_id == run_id
        assert inquiry.decision("received:" + run_id) is not None  # the run's own round 1
        artifacts = artifacts_of_run(run_id)
        assert [a["key"] for a in artifacts] == [f"vetting-scorecard-{inquiry_id}"]
        [mail] = [m for m in smtp_server.messages if f"inquiry {inquiry_id})" in m.subject]
        assert run_id in mail.text
    assert InquiryRecord.needing_gate() == []


def _mailed_in(n: int) -> int:
    """A stored mail (ticket) a returned form came in."""
    message = EmailMessage()
    message["From"], message["Subject"] = f"buyer{n}@shop.example", "Completed form attached"
    message["Message-ID"] = f"<burst-form-{n}@shop.example>"
    message.set_content("Here is our form.")
    return intake.store_message("default", bytes(message))


def test_forms_mailed_in_keep_their_ticket_and_routed_twice_make_one_inquiry_each(
    world: str, smtp_server: SmtpServer, vetting_deployment: UUID
) -> None:
    forms = burst_forms(2, 1, world)
    tickets = [_mailed_in(n) for n in range(2)]
    with store.session() as s:  # inquiry ids no other test of the session's harness gave a
        s.add(InquiryRow(id=900, dedupe_key="earlier", raw="{}"))  # gate (its idempotency key)

    first = vet_inquiry_burst(forms, source="email", ticket_ids=tickets)
    again = vet_inquiry_burst(forms, source="email", ticket_ids=tickets)  # routed twice

    assert len(first.gates) == 2 and again.gates == {}
    assert sorted(again.duplicates) == sorted(first.gates)
    for (inquiry_id, run_id), ticket_id in zip(first.gates.items(), tickets, strict=True):
        inquiry = InquiryRecord.load(inquiry_id)
        assert (inquiry.ticket_id, inquiry.source, inquiry.email) == (
            ticket_id,
            "email",
            forms[tickets.index(ticket_id)]["email"],
        )
        # resumed, vet-new-customer is given what triage gives a form it starts alone
        parameters = _run(run_id).parameters
        assert (parameters["ticket_id"], parameters["source"]) == (ticket_id, "email")
    with store.session() as s:
        mailed = s.scalars(select(InquiryRow.ticket_id).where(InquiryRow.ticket_id.is_not(None)))
        assert sorted(mailed) == sorted(tickets)  # one inquiry each


def test_a_burst_again_creates_no_second_gate_and_sends_no_second_mail(
    world: str, smtp_server: SmtpServer, vetting_deployment: UUID
) -> None:
    forms = burst_forms(2, 1, world)
    first = vet_inquiry_burst(forms)
    mails = len(smtp_server.messages)
    again = vet_inquiry_burst(forms)
    assert again.gates == {} and sorted(again.duplicates) == sorted(first.gates)
    assert len(smtp_server.messages) == mails


def test_what_a_killed_burst_left_gets_its_gate_once(
    world: str, smtp_server: SmtpServer, vetting_deployment: UUID
) -> None:
    _form, claim = left_by_a_killed_burst(world, "left@paperlantern-burst.example")
    assert [i.id for i, _ in InquiryRecord.needing_gate()] == [claim.inquiry_id]

    outcome = vet_inquiry_burst([])

    assert list(outcome.gates) == [claim.inquiry_id]
    assert InquiryRecord.needing_gate() == []
    assert InquiryRecord.load(claim.inquiry_id).status is InquiryStatus.AWAITING_APPROVAL
    assert len([m for m in smtp_server.messages if "to review" in m.subject]) == 1


def test_an_incomplete_form_goes_its_own_way(
    world: str, smtp_server: SmtpServer, vetting_deployment: UUID, monkeypatch: pytest.MonkeyPatch
) -> None:
    started: list[dict[str, Any]] = []
    monkeypatch.setattr(
        "flows.vetting_burst.submit",
        lambda form, source, rep, ticket_id=None: (started.append(form), ("run-1", "link"))[1],
    )
    [form] = burst_forms(1, 1, world)
    incomplete = {k: v for k, v in form.items() if k != "phone"}
    outcome = vet_inquiry_burst([incomplete])
    assert outcome.own_runs == ["run-1"] and started == [incomplete] and outcome.gates == {}


def test_the_watch_starts_a_burst_for_what_a_killed_burst_left(
    world: str, smtp_server: SmtpServer, vetting_deployment: UUID, burst_deployment: UUID
) -> None:
    earlier = {run.id for run in _burst_runs(burst_deployment)}  # the session's other tests'
    left_by_a_killed_burst(world, "orphan@paperlantern-burst.example")

    watch_approvals()

    runs = [run for run in _burst_runs(burst_deployment) if run.id not in earlier]
    assert [r.parameters["forms"] for r in runs] == [[]]  # one burst, for what is left


def test_several_forms_on_the_command_line_go_as_one_burst(
    tmp_path: Path, world: str, burst_deployment: UUID
) -> None:
    files = []
    for n, form in enumerate(burst_forms(2, 1, world)):
        files.append(tmp_path / f"form-{n}.json")
        files[-1].write_text(json.dumps(form))
    before = len(_burst_runs(burst_deployment))

    shown = CliRunner().invoke(app, ["inquiry", "submit", *map(str, files)])

    assert shown.exit_code == 0, shown.output
    assert "2 forms checked in one run" in shown.output
    runs = _burst_runs(burst_deployment)
    assert len(runs) == before + 1
    assert runs[0].parameters["source"] == "cli" and len(runs[0].parameters["forms"]) == 2


@pytest.fixture(scope="module")
def burst_deployment() -> UUID:
    """vet-inquiry-burst as a deployment (nothing serves it: its runs stay Scheduled)."""
    with get_client(sync_client=True) as client:
        flow_id = client.create_flow(vet_inquiry_burst)
        return client.create_deployment(flow_id=flow_id, name="vet-inquiry-burst")


def _burst_runs(deployment: UUID) -> list[Any]:
    """The deployment's runs, newest first."""
    with get_client(sync_client=True) as client:
        return client.read_flow_runs(
            deployment_filter=DeploymentFilter(id=DeploymentFilterId(any_=[deployment])),
            sort=FlowRunSort.EXPECTED_START_TIME_DESC,
            limit=50,
        )


def test_the_same_forms_again_after_a_killed_burst_keep_their_round(
    world: str, smtp_server: SmtpServer, vetting_deployment: UUID
) -> None:
    form, claim = left_by_a_killed_burst(world, "again@paperlantern-burst.example")

    outcome = vet_inquiry_burst([form])

    assert list(outcome.gates) == [claim.inquiry_id]
    assert _run(outcome.gates[claim.inquiry_id]).state.state_details.pause_key == "approval-1"
    assert list(InquiryRecord.load(claim.inquiry_id).assessments) == [1]
