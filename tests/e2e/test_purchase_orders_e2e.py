"""Seed 000 end to end, with seed 001's gate: a real Prefect server, `csflows serve`, a real SMTP
server. An approved applicant's first PO resumes their vetting and creates the customer; a PO
nobody can read waits in the UI for an operator's reading (answered through the same API)."""

from __future__ import annotations

from typing import Any

import pytest
from prefect.deployments import run_deployment
from prefect.flow_runs import resume_flow_run
from sqlalchemy import select

from csflows import customers, store
from csflows.models import Customer
from csflows.store.tables import CustomerRow, OrderRow, PoActionRow
from csflows.vetting.inquiries import InquiryRecord
from tests.e2e.conftest import VettingStack
from tests.e2e.test_vetting_e2e import approve, inquiry_of, submit, wait_status
from tests.support.po_data import po_message
from tests.support.po_pdfs import BROKEN_PDF
from tests.support.prefect_server import wait_for_deployment, wait_for_gate, wait_for_state

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

DEPLOYMENT = "handle-purchase-order/handle-purchase-order"


def send_po(message: dict[str, Any]) -> Any:
    wait_for_deployment(DEPLOYMENT)
    return run_deployment(DEPLOYMENT, parameters={"message": message}, timeout=0)


def test_applicants_first_po_resumes_vetting_and_creates_the_customer(stack: VettingStack) -> None:
    email = "owner@lanternfirst.example"
    vetting = submit(stack.form(email=email))
    wait_for_gate(vetting.id, "approval-1")
    inquiry_id = inquiry_of(vetting.id)
    approve(vetting.id)
    wait_status(inquiry_id, "awaiting_first_po")
    wait_for_gate(vetting.id, "first-po")

    po = send_po(po_message(email, "Our first order.\nPO 1001\nTotal: $800.00"))
    wait_for_state(po.id, {"Completed"})
    wait_for_state(vetting.id, {"Completed"})

    with store.session() as s:
        action = s.scalars(select(PoActionRow).where(PoActionRow.inquiry_id == inquiry_id)).one()
        created = s.scalars(select(CustomerRow).where(CustomerRow.inquiry_id == inquiry_id)).all()
    assert (action.action, action.status, action.po_number) == ("resume_vetting", "done", "1001")
    assert len(created) == 1 and InquiryRecord.load(inquiry_id).status == "customer_created"


def test_unreadable_po_waits_for_an_operator_in_the_ui(stack: VettingStack) -> None:
    customers.save(
        [
            Customer(
                id="C-E2E",
                name="Ribbon Row",
                email="orders@ribbonrow-e2e.example",
                division="wyla",
                level=1,
            )
        ]
    )
    run = send_po(po_message("orders@ribbonrow-e2e.example", "Attached.", "PO RR-9", po=BROKEN_PDF))
    wait_for_gate(run.id, "read-po")
    resume_flow_run(run.id, run_input={"po_number": "RR-9", "total": "420.00"})
    wait_for_state(run.id, {"Completed"})
    with store.session() as s:
        order = s.scalars(select(OrderRow).where(OrderRow.customer_id == "C-E2E")).one()
    assert (order.po_number, order.amount, order.source) == ("RR-9", 420, "po")
    assert stack.smtp.to("orders@ribbonrow-e2e.example") == []
