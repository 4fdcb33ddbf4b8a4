"""A scanned form (printed text, no form fields) is read by OCR; what could not be read goes to
the inquiry's rep at the key-inquiry-form gate, not back to the applicant as "incomplete", and
the keyed form is vetted on to the supervisor's approval gate. Run as a deployment in this
process (as a worker would run it), as tests/flows/test_purchase_order_gate.py does."""

from __future__ import annotations

import json
from pathlib import Path
from uuid import UUID

import pytest
from prefect.client.orchestration import get_client
from prefect.exceptions import Pause
from prefect.flow_engine import run_flow
from prefect.flow_runs import resume_flow_run
from prefect.input.run_input import keyset_from_paused_state
from sqlalchemy import select

from csflows import store
from csflows.people import Role, people
from csflows.store.tables import InquiryRow
from csflows.vetting.forms.returned import read_returned
from csflows.vetting.inquiries import InquiryRecord
from csflows.vetting.policy import approval_policy
from flows.vetting import vet_new_customer
from tests.support import google
from tests.support.scanned_forms import scanned_form
from tests.support.servers import HttpServer, SmtpServer
from tests.support.vetting_world import applicant_world

APPLICANT = "ana@paperlanterncrafts.com"
# What the rep reads on the scan beyond what OCR did: the form's other answers.
KEYED = {
    "address_unit": "Suite 400",
    "sells_on_amazon": "no",
    "division": "Craft & Hobby",
    "product_lines": "Scrapbook albums\nstickers",
    "current_products": "Stationery, scrapbooking supplies, craft kits",
    "store_type": "physical",
    "first_order_amount": "800",
    "annual_purchases": "12000",
    "payment_method": "terms",
    "tax_id": "IL-RC-123456",
}


@pytest.fixture
def world(http_server: HttpServer, monkeypatch: pytest.MonkeyPatch, store_ready: Path) -> None:
    """Google, RDAP and the applicant's site (paperlantern.test) on one local server."""
    applicant_world(http_server)
    for key, value in google.environment(http_server.url).items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("CSFLOWS_RDAP_BASE_URL", f"{http_server.url}/rdap")
    monkeypatch.setenv("CSFLOWS_ALLOW_PRIVATE_NETWORKS", "1")
    monkeypatch.setenv("CSFLOWS_RESOLVE", f"paperlantern.test:{http_server.port}:127.0.0.1")


def _deployment_run(parameters: dict[str, object]) -> UUID:
    with get_client(sync_client=True) as client:
        flow_id = client.create_flow(vet_new_customer)
        deployment_id = client.create_deployment(
            flow_id, "key-form-test", entrypoint="flows/vetting.py:vet_new_customer"
        )
        return client.create_flow_run_from_deployment(deployment_id, parameters=parameters).id


def _run_until_suspended(flow_run_id: UUID) -> tuple[str, str, list[str]]:
    """Run (or re-run) the flow to its next gate: that gate's schema, description and the tags."""
    with get_client(sync_client=True) as client:
        flow_run = client.read_flow_run(flow_run_id)
    with pytest.raises(Pause):
        run_flow(
            vet_new_customer,
            flow_run=flow_run,
            parameters=flow_run.parameters,
            return_type="state",
        )
    with get_client(sync_client=True) as client:
        run = client.read_flow_run(flow_run_id)
        assert run.state is not None and run.state.name == "Suspended"
        keyset = keyset_from_paused_state(run.state)
        schema = client.read_flow_run_input(flow_run_id, keyset["schema"])
        description = client.read_flow_run_input(flow_run_id, keyset["description"])
    return schema, description, run.tags


def test_a_scanned_form_is_keyed_by_the_rep_then_vetted(
    world: None, smtp_server: SmtpServer
) -> None:
    reading = read_returned("inquiry-scan.pdf", scanned_form(fmt="PDF"))
    assert reading is not None and reading.method == "OCR"
    flow_run_id = _deployment_run(
        {"form": reading.form, "source": "email", "reading": reading.model_dump(mode="json")}
    )

    schema, description, tags = _run_until_suspended(flow_run_id)
    assert "awaiting:rep" in tags
    properties = json.loads(schema)["properties"]
    assert properties["business_name"]["default"] == "Paper Lantern Crafts LLC"  # read by OCR
    assert properties["address_postal_code"]["default"] == "60606"
    assert properties["tax_id"].get("default") is None  # not on the scan: nothing invented
    assert all(spec.get("description") for spec in properties.values())
    assert "inquiry-scan.pdf" in description and "OCR" in description
    assert "Could not be read" in description and "Resale certificate or tax id" in description
    rep = people().with_role(Role.REP)[0]
    [asked] = smtp_server.to(str(rep.email))
    assert str(flow_run_id) in asked.text and "inquiry-scan.pdf" in asked.text
    assert smtp_server.to(APPLICANT) == []  # no "incomplete" letter

    resume_flow_run(flow_run_id, run_input={**KEYED, "keyed_by": rep.name})
    schema, description, tags = _run_until_suspended(flow_run_id)
    assert "awaiting:supervisor" in tags and '"decision"' in schema  # the approval gate
    inquiry = InquiryRecord.load(_inquiry_of(flow_run_id))
    assert inquiry.status == "awaiting_approval"
    assert inquiry.raw["tax_id"] == "IL-RC-123456" and inquiry.raw["address"]["city"] == "Chicago"
    keyed = inquiry.decision("gate:key-inquiry-form-1")
    assert keyed is not None and keyed.reviewer == rep.name and keyed.decision == "form_keyed"
    assert smtp_server.to(APPLICANT) == []  # still no letter to the applicant
    assert len(smtp_server.to(str(rep.email))) == 1  # the rep was asked once
    [review] = smtp_server.to(str(approval_policy().supervisor_email))
    assert "Paper Lantern Crafts LLC" in review.subject


def _inquiry_of(flow_run_id: UUID) -> int:
    with store.session() as s:
        query = select(InquiryRow.id).where(InquiryRow.flow_run_id == str(flow_run_id))
        return int(s.scalars(query).one())
