"""The Prefect server restarted (stopped, or killed) while vetting runs wait at the approval gate
(issue 9): the same `csflows serve` process carries on, the operator's answers resume the runs,
and each ends with nothing lost (inquiry rows, audit trail) and nothing sent twice.

This module runs its own Prefect server, so restarting it disturbs no other e2e module."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest
from prefect.flow_runs import resume_flow_run
from sqlalchemy import func, select

from csflows import store
from csflows.store.tables import CustomerRow, InquiryRow
from csflows.vetting.inquiries import InquiryRecord
from tasks.vetting_gates import resume_with_first_po
from tests.e2e.conftest import VettingStack, new_prefect_server
from tests.e2e.test_vetting_e2e import (
    SUPERVISOR,
    approve,
    checks_called,
    inquiry_of,
    mails,
    submit,
    wait_status,
)
from tests.support.prefect_server import PrefectServer, wait_for_gate, wait_for_state

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


@pytest.fixture(scope="module")
def prefect_server(
    tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[PrefectServer]:
    """This module's own server (the session's stays up for the other modules)."""
    server = new_prefect_server(tmp_path_factory, request, "prefect_restarted").start()
    yield server
    server.stop()


def reviews_of(stack: VettingStack, inquiry_id: int) -> list[object]:
    return [
        m for m in mails(stack, SUPERVISOR, "to review") if f"inquiry {inquiry_id})" in m.subject
    ]


def decision_names(inquiry_id: int) -> list[str]:
    return [d["decision"] for d in InquiryRecord.load(inquiry_id).show()["decisions"]]


@pytest.mark.parametrize("crash", [False, True], ids=["stopped", "killed"])
def test_runs_waiting_at_the_gate_resume_after_the_server_restarts(
    stack: VettingStack, crash: bool
) -> None:
    tag = "killed" if crash else "stopped"
    approved_email = f"approved@paperlantern-{tag}.example"
    declined_email = f"declined@paperlantern-{tag}.example"
    approved_run = submit(stack.form(email=approved_email))
    declined_run = submit(stack.form(email=declined_email))
    for run in (approved_run, declined_run):
        wait_for_gate(run.id, "approval-1")
    approved_id, declined_id = inquiry_of(approved_run.id), inquiry_of(declined_run.id)
    calls_before = len(checks_called(stack))
    assert stack.serve is not None
    worker = stack.serve.pid

    stack.prefect.restart(crash=crash)

    assert wait_for_gate(approved_run.id, "approval-1")  # the server kept the waiting runs
    approve(approved_run.id)
    resume_flow_run(
        declined_run.id,
        run_input={"decision": "decline", "reviewer": "Pat Morgan", "note": "FBA seller"},
    )
    wait_status(approved_id, "awaiting_first_po")
    wait_for_gate(approved_run.id, "first-po")
    resume_with_first_po(approved_id, "PO-4242", Decimal("950"))
    assert wait_for_state(approved_run.id, {"Completed"}).result().status == "customer_created"
    wait_for_state(declined_run.id, {"Completed"})
    assert stack.serve.alive() and stack.serve.pid == worker  # the same worker, reconnected

    # nothing sent twice: one review each, one approval letter (the first-PO request), one decline
    assert len(reviews_of(stack, approved_id)) == 1 and len(reviews_of(stack, declined_id)) == 1
    assert len(mails(stack, approved_email, "is approved")) == 1
    assert len(stack.smtp.to(approved_email)) == 1
    assert len(stack.smtp.to(declined_email)) == 1
    assert len(checks_called(stack)) == calls_before  # resuming called no check's API again
    # nothing lost: one inquiry row each, its whole audit trail, one customer
    with store.session() as s:
        for email in (approved_email, declined_email):
            count = s.scalar(select(func.count()).where(InquiryRow.email == email))
            assert count == 1, email
        customers = list(
            s.scalars(select(CustomerRow).where(CustomerRow.inquiry_id == approved_id))
        )
    assert [c.email for c in customers] == [approved_email]
    assert InquiryRecord.load(approved_id).status == "customer_created"
    assert InquiryRecord.load(declined_id).status == "declined"
    trail = decision_names(approved_id)
    for step in ("received", "assessed", "approval_requested", "approve", "first_po_received"):
        assert trail.count(step) == 1, (step, trail)
    assert trail[-1] == "customer_created"
    assert decision_names(declined_id).count("decline") == 1
