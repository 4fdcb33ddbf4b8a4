"""One retry layer: the Prefect task's retries (errors.is_transient), never the client's too. A
NetSuite that keeps answering 503 gets one request per try of the netsuite-customer task, so one
attempt a person sees costs `retries + 1` calls (it was 5 tries x 4 requests = 20)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from prefect import flow

from csflows.models import Customer, NewCustomerInquiry
from csflows.vetting import onboarding
from csflows.vetting.inquiries import InquiryRecord
from csflows.vetting.policy import approval_policy
from tasks.retry import TRANSIENT_RETRIES
from tasks.vetting import netsuite_customer_task
from tests.support.servers import HttpServer, Reply
from tests.support.suitetalk import netsuite_settings, suitetalk

pytestmark = pytest.mark.integration

CUSTOMERS = "/services/rest/record/v1/customer/"
UNAVAILABLE = Reply(503, {"title": "Service Unavailable", "status": 503})
FORM = NewCustomerInquiry(
    business_name="Paper Lantern Crafts LLC",
    email="ana@paperlanterncrafts.com",
    phone="+1 312 555 0142",
    division="Craft & Hobby",
)


@pytest.fixture
def netsuite(
    store_ready: Path, http_server: HttpServer, monkeypatch: pytest.MonkeyPatch
) -> tuple[dict[str, dict[str, Any]], list[Reply]]:
    """The local SuiteTalk server: its records, and the faults its next PUTs answer with."""
    records: dict[str, dict[str, Any]] = {}
    faults: list[Reply] = []
    suitetalk(http_server, records, faults=faults)
    for key, value in netsuite_settings(http_server).items():
        monkeypatch.setenv(f"CSFLOWS_NETSUITE_{key}", value)
    return records, faults


def _new_customer() -> tuple[int, Customer]:
    inquiry_id = InquiryRecord.receive(FORM.model_dump(mode="json"), "run-1").inquiry_id
    customer = onboarding.new_customer(inquiry_id, FORM, approval_policy())
    onboarding.save_new_customer(inquiry_id, customer, "PO-1", Decimal("500"))
    return inquiry_id, customer


@flow
def create_customer(inquiry_id: int, customer: Customer) -> tuple[str, str]:
    """The task as a flow runs it, with its retries and without their pauses: how it ended
    (Completed and NetSuite's id, or Failed and the error)."""
    quick = netsuite_customer_task.with_options(retry_delay_seconds=0)
    state = quick(inquiry_id, customer, return_state=True)
    if state.is_completed():
        return str(state.name), str(state.result())
    return str(state.name), str(state.message)


def test_a_netsuite_that_keeps_failing_gets_one_call_a_try(
    netsuite: tuple[dict[str, dict[str, Any]], list[Reply]], http_server: HttpServer
) -> None:
    records, faults = netsuite
    faults.extend([UNAVAILABLE] * 50)
    ended, error = create_customer(*_new_customer())
    assert ended == "Failed" and "netsuite: Service Unavailable (HTTP 503)" in error
    tries = TRANSIENT_RETRIES["retries"] + 1
    assert len(http_server.calls(CUSTOMERS)) == tries == 5
    assert records == {}


def test_a_netsuite_that_recovers_gets_the_customer_once(
    netsuite: tuple[dict[str, dict[str, Any]], list[Reply]], http_server: HttpServer
) -> None:
    records, faults = netsuite
    faults.extend([UNAVAILABLE] * 2)
    inquiry_id, customer = _new_customer()
    assert create_customer(inquiry_id, customer) == ("Completed", "1000")
    assert len(http_server.calls(CUSTOMERS)) == 3 and len(records) == 1
