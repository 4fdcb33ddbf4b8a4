"""Seed 001 end to end: a real Prefect server, `csflows serve`, a real SMTP server, and local
servers as Google, RDAP and the applicant's website. Runs are answered through the API the UI
form uses (`resume_flow_run` with a run input)."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from prefect.deployments import run_deployment
from prefect.flow_runs import resume_flow_run
from sqlalchemy import select

from csflows import customers, store
from csflows.store.tables import CustomerRow, InquiryRow
from csflows.vetting.gates import Approval
from csflows.vetting.inquiries import InquiryRecord
from tasks.vetting_gates import resume_with_first_po
from tests.e2e.conftest import VettingStack
from tests.support import google
from tests.support.prefect_server import flow_run_state, wait_for, wait_for_gate, wait_for_state

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

DEPLOYMENT = "vet-new-customer/vet-new-customer"
SUPERVISOR = "cs-supervisor@example.com"


def submit(form: dict[str, Any]) -> Any:
    return run_deployment(  # _sync: Playwright's sync API runs an event loop in this thread
        DEPLOYMENT, parameters={"form": form, "source": "e2e"}, timeout=0, _sync=True
    )


def inquiry_of(flow_run_id: Any) -> int:
    def probe() -> int | None:
        with store.session() as s:
            return s.scalar(select(InquiryRow.id).where(InquiryRow.flow_run_id == str(flow_run_id)))

    return wait_for(f"the inquiry of run {flow_run_id}", probe, timeout=120)


def wait_status(inquiry_id: int, status: str, timeout: float = 180) -> None:
    wait_for(
        f"inquiry {inquiry_id} {status}",
        lambda: InquiryRecord.load(inquiry_id).status == status,
        timeout,
    )


def mails(stack: VettingStack, to: str, subject_part: str) -> list[Any]:
    return [m for m in stack.smtp.to(to) if subject_part in m.subject]


def scorecards(stack: VettingStack, inquiry_id: int, run_id: Any) -> list[dict[str, Any]]:
    """The scorecard artifacts of an inquiry's run, through the REST API the UI reads."""
    import httpx

    body = {
        "artifacts": {
            "key": {"any_": [f"vetting-scorecard-{inquiry_id}"]},
            "flow_run_id": {"any_": [str(run_id)]},
        },
        "limit": 10,
    }
    reply = httpx.post(f"{stack.prefect.api_url}/artifacts/filter", json=body, timeout=10)
    reply.raise_for_status()
    return list(reply.json())


def checks_called(stack: VettingStack) -> list[Any]:
    """Requests the vetting checks made (Google, RDAP, the site), not the CRM's nor the new
    customer's time zone lookup."""
    return [
        r
        for r in stack.http.requests
        if not r.path.startswith("/services/rest") and r.path != google.TIMEZONE
    ]


def approve(run_id: Any, reviewer: str = "Pat Morgan") -> None:
    resume_flow_run(
        run_id, run_input={"decision": "approve", "reviewer": reviewer, "note": "all criteria met"}
    )


def test_approve_then_first_po_creates_exactly_one_customer(stack: VettingStack) -> None:
    email = "ana@paperlanterncrafts.com"
    run = submit(stack.form(email=email))
    wait_for_gate(run.id, "approval-1")
    inquiry_id = inquiry_of(run.id)
    assert InquiryRecord.load(inquiry_id).status == "awaiting_approval"

    from prefect import get_client

    with get_client(sync_client=True) as client:
        named = client.read_flow_run(run.id)
    [artifact] = scorecards(stack, inquiry_id, run.id)
    assert named.name == f"vet-paper-lantern-crafts-llc-{inquiry_id}"
    assert "division:craft_hobby" in named.tags
    assert "Paper Lantern Crafts LLC" in artifact["data"]
    [review] = [
        m for m in mails(stack, SUPERVISOR, "to review") if f"inquiry {inquiry_id})" in m.subject
    ]
    assert f"/runs/flow-run/{run.id}" in review.text

    assert InquiryRecord.load(inquiry_id).show()["recommendation"] == "approve"
    assert stack.http.calls("/v1:validateAddress") and stack.http.calls("/rdap/domain/")
    calls_before = len(checks_called(stack))
    approve(run.id)
    wait_status(inquiry_id, "awaiting_first_po")
    wait_for_gate(run.id, "first-po")
    resume_with_first_po(inquiry_id, "PO-1001", Decimal("800.00"))
    done = wait_for_state(run.id, {"Completed"})
    assert done.result().status == "customer_created"

    assert len(mails(stack, email, "is approved")) == 1
    assert (
        len(
            [
                m
                for m in mails(stack, SUPERVISOR, "to review")
                if f"inquiry {inquiry_id})" in m.subject
            ]
        )
        == 1
    )
    assert len(checks_called(stack)) == calls_before  # resuming called no check's API again
    with store.session() as s:
        rows = list(s.scalars(select(CustomerRow).where(CustomerRow.inquiry_id == inquiry_id)))
    assert len(rows) == 1 and rows[0].status == "ready_for_retention"
    assert rows[0].netsuite_id and stack.netsuite[f"csflows-inquiry-{inquiry_id}"]["email"] == email
    assert [c["id"] for c in customers.list_customers() if c["email"] == email] == [rows[0].id]
    trail = InquiryRecord.load(inquiry_id).show()
    assert trail["status"] == "customer_created"
    approved = next(d for d in trail["decisions"] if d["decision"] == "approve")
    assert approved["reviewer"] == "Pat Morgan" and approved["evidence"]["assessment"]["criteria"]


def test_decline_sends_the_amazon_letter_and_creates_no_customer(stack: VettingStack) -> None:
    email = "buyer@amazon-seller.example"
    run = submit(
        stack.form(email=email, sells_on_amazon=True, amazon_storefront="PaperLanternDeals")
    )
    wait_for_gate(run.id, "approval-1")
    inquiry_id = inquiry_of(run.id)
    resume_flow_run(
        run.id,
        run_input={"decision": "decline", "reviewer": "Pat Morgan", "note": "FBA seller"},
    )
    wait_for_state(run.id, {"Completed"})
    [letter] = stack.smtp.to(email)
    assert "Amazon is already one of our customers" in letter.text
    assert "amazon.com" not in letter.text and "joann" not in letter.text.lower()
    assert InquiryRecord.load(inquiry_id).status == "declined"
    with store.session() as s:
        assert s.scalar(select(CustomerRow).where(CustomerRow.inquiry_id == inquiry_id)) is None
    declined = [
        d for d in InquiryRecord.load(inquiry_id).show()["decisions"] if d["decision"] == "decline"
    ]
    assert declined[0]["note"] == "FBA seller"


def test_request_info_then_the_resubmitted_form_is_checked_again(stack: VettingStack) -> None:
    email = "owner@paperlantern-info.example"
    form = stack.form(email=email)
    run = submit(form)
    wait_for_gate(run.id, "approval-1")
    inquiry_id = inquiry_of(run.id)
    resume_flow_run(
        run.id,
        run_input={
            "decision": Approval.REQUEST_INFO,  # "ask the applicant for information"
            "reviewer": "Pat Morgan",
            "note": "Please send your resale certificate number.",
        },
    )
    wait_status(inquiry_id, "info_requested")
    wait_for_gate(run.id, "answer-1")
    [ask] = stack.smtp.to(email)
    assert "Please send your resale certificate number." in ask.text

    validations = len(stack.http.calls("/v1:validateAddress"))
    answer = submit(form | {"tax_id": "IL-RC-999999"})  # the applicant's answer: the form again
    wait_for_state(answer.id, {"Completed"})
    wait_status(inquiry_id, "awaiting_approval")
    wait_for_gate(run.id, "approval-2")
    shown = InquiryRecord.load(inquiry_id).show()
    assert shown["round"] == 2
    received = next(d for d in shown["decisions"] if d["decision"] == "info_received")
    assert received["evidence"]["changed"] == ["tax_id"]
    assert len(stack.http.calls("/v1:validateAddress")) == validations  # unchanged: cached
    reviews = [
        m for m in mails(stack, SUPERVISOR, "to review") if f"inquiry {inquiry_id})" in m.subject
    ]
    assert len(reviews) == 2  # one per round

    approve(run.id)
    wait_status(inquiry_id, "awaiting_first_po")
    wait_for_gate(run.id, "first-po")
    resume_with_first_po(inquiry_id, "PO-77", Decimal("900"))
    wait_for_state(run.id, {"Completed"})
    assert len(mails(stack, email, "is approved")) == 1
    assert len(stack.smtp.to(email)) == 2  # the question and the approval, nothing twice


def test_same_inquiry_submitted_twice_is_vetted_once(stack: VettingStack) -> None:
    email = "twice@paperlantern-dup.example"
    first = submit(stack.form(email=email))
    wait_for_gate(first.id, "approval-1")
    inquiry_id = inquiry_of(first.id)
    second = submit(stack.form(email=email))
    wait_for_state(second.id, {"Completed"})
    assert flow_run_state(second.id).result().duplicate_of == str(first.id)
    assert flow_run_state(first.id).name == "Suspended"
    reviews = [
        m for m in mails(stack, SUPERVISOR, "to review") if f"inquiry {inquiry_id})" in m.subject
    ]
    assert len(reviews) == 1
    resume_flow_run(
        first.id,
        run_input={"decision": "decline", "reviewer": "Robin Hale", "note": "test cleanup"},
    )
    wait_for_state(first.id, {"Completed"})


def test_worker_killed_while_the_run_waits_then_restarted(stack: VettingStack) -> None:
    email = "crash@paperlantern-crash.example"
    run = submit(stack.form(email=email))
    wait_for_gate(run.id, "approval-1")
    inquiry_id = inquiry_of(run.id)
    calls_before = len(checks_called(stack))
    assert stack.serve is not None
    stack.serve.kill()  # SIGKILL while the run waits for the supervisor
    approve(run.id)
    assert flow_run_state(run.id).name != "Completed"
    stack.start_worker()
    wait_status(inquiry_id, "awaiting_first_po")
    wait_for_gate(run.id, "first-po")
    stack.serve.kill()  # and again while it waits for the first PO
    resume_with_first_po(inquiry_id, "PO-9", Decimal("1200"))
    stack.start_worker()
    wait_for_state(run.id, {"Completed"})
    assert len(checks_called(stack)) == calls_before
    assert len(mails(stack, email, "is approved")) == 1
    reviews = [
        m for m in mails(stack, SUPERVISOR, "to review") if f"inquiry {inquiry_id})" in m.subject
    ]
    assert len(reviews) == 1
    with store.session() as s:
        assert (
            len(list(s.scalars(select(CustomerRow).where(CustomerRow.inquiry_id == inquiry_id))))
            == 1
        )


def test_cli_submits_the_form_and_shows_the_audit_trail(
    stack: VettingStack, tmp_path: Path
) -> None:
    from typer.testing import CliRunner

    from cli import app

    email = "cli@paperlantern-cli.example"
    path = tmp_path / "form.json"
    path.write_text(json.dumps(stack.form(email=email)))
    submitted = CliRunner().invoke(app, ["vet", str(path)])
    assert submitted.exit_code == 0, submitted.output
    link = submitted.output.strip().splitlines()[-1]
    assert link.startswith(f"{stack.prefect.ui_url}/runs/flow-run/")
    run_id = link.rsplit("/", 1)[-1]
    wait_for_gate(run_id, "approval-1")
    inquiry_id = inquiry_of(run_id)
    resume_flow_run(
        run_id, run_input={"decision": "decline", "reviewer": "Pat Morgan", "note": "CLI test"}
    )
    wait_for_state(run_id, {"Completed"})
    shown = CliRunner().invoke(app, ["inquiry", "show", str(inquiry_id)])
    assert shown.exit_code == 0, shown.output
    assert "status declined" in shown.output
    assert "decline" in shown.output and "by Pat Morgan: CLI test" in shown.output
    assert f"sent    {email}" in shown.output
    as_json = json.loads(
        CliRunner().invoke(app, ["inquiry", "show", str(inquiry_id), "--json"]).output
    )
    assert [c["criterion"] for c in as_json["checks"]][:1] and as_json["status"] == "declined"
