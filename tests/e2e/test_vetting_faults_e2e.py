"""Google down for longer than the vetting retries it, under the served `vet-new-customer`
deployment (issue 9): the address check is a review naming Google and the status, the other
checks are done, the supervisor is asked once, and answering calls no API again."""

from __future__ import annotations

import pytest
from prefect.flow_runs import resume_flow_run

from csflows.models import CRITERIA, Recommendation, Verdict
from csflows.vetting.inquiries import InquiryRecord
from tests.e2e.conftest import VettingStack, applicant_world
from tests.e2e.test_vetting_e2e import SUPERVISOR, inquiry_of, mails, submit
from tests.support import google
from tests.support.inquiries import short_timeouts_config
from tests.support.prefect_server import wait_for_gate, wait_for_state
from tests.support.servers import Reply

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


@pytest.fixture(scope="module")
def worker_settings(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The worker with short lookup timeouts (the task tries 3 times, each a single request)."""
    config = short_timeouts_config(tmp_path_factory.mktemp("faults") / "config", timeout_seconds=2)
    return {"CSFLOWS_CONFIG_DIR": str(config)}


def test_a_google_5xx_storm_still_reaches_the_supervisor_once(stack: VettingStack) -> None:
    unavailable = google.error(503, "The service is currently unavailable.", "UNAVAILABLE")
    stack.http.route("POST", "/v1:validateAddress", Reply(503, unavailable))
    try:
        email = "storm@paperlantern-storm.example"
        run = submit(stack.form(email=email))
        wait_for_gate(run.id, "approval-1")
        inquiry_id = inquiry_of(run.id)
    finally:
        applicant_world(stack.http)  # Google answers again
    assessment = InquiryRecord.load(inquiry_id).assessments.get(1)
    assert assessment is not None and assessment.recommendation is Recommendation.REVIEW
    address = assessment.criteria["address"]
    assert address.verdict is Verdict.REVIEW
    assert "google.addressvalidation" in address.evidence[0].fact
    assert "HTTP 503" in address.evidence[0].fact
    others = {k: v.verdict for k, v in assessment.criteria.items() if k != "address"}
    assert others == dict.fromkeys(set(CRITERIA) - {"address"}, Verdict.PASS)
    assert InquiryRecord.load(inquiry_id).status == "awaiting_approval"
    validations = len(stack.http.calls("/v1:validateAddress"))
    assert validations >= 3  # each of the check's three tries asked Google

    resume_flow_run(
        run.id,
        run_input={"decision": "decline", "reviewer": "Pat Morgan", "note": "cannot verify"},
    )
    wait_for_state(run.id, {"Completed"})
    reviews = [
        m for m in mails(stack, SUPERVISOR, "to review") if f"inquiry {inquiry_id})" in m.subject
    ]
    assert len(reviews) == 1 and "503" in reviews[0].text
    assert len(stack.http.calls("/v1:validateAddress")) == validations  # resuming asked nothing
    assert len(stack.smtp.to(email)) == 1  # the decline letter, once
