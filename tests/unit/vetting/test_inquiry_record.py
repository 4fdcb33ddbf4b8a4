"""The inquiry record: what one run writes through it is what a resumed run loads, the status
is stored as the same strings as before the enum, and a gate's answer is applied once."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from csflows import store
from csflows.models import Assessment, InquiryStatus, MissingField, Recommendation
from csflows.store.tables import InquiryRow
from csflows.vetting.gates import ApplicantAnswer
from csflows.vetting.inquiries import InquiryRecord

RAW = {"email": "ana@shop.example", "business_name": "Shop", "address": {"city": "Austin"}}


def test_what_a_run_writes_is_what_a_resumed_run_loads(store_ready: Path) -> None:
    claim = InquiryRecord.receive(RAW, "run-1")
    inquiry = InquiryRecord.load(claim.inquiry_id)
    missing = [MissingField(field="phone", reason="is missing")]
    assessment = Assessment(recommendation=Recommendation.INCOMPLETE, missing_fields=missing)
    inquiry.record_assessment(1, assessment)
    inquiry.return_for_completion(1, missing)

    resumed = InquiryRecord.load(claim.inquiry_id)
    assert resumed.status is InquiryStatus.RETURNED_FOR_COMPLETION == inquiry.status
    assert resumed.assessments == {1: assessment} == inquiry.assessments
    assert [d.decision for d in resumed.decisions] == [d.decision for d in inquiry.decisions]
    assert [d.decision for d in resumed.decisions] == [
        "received",
        "assessed",
        "returned_for_completion",
    ]
    with store.session() as s:
        assert s.scalars(select(InquiryRow.status)).one() == "returned_for_completion"


def test_an_applicant_answer_is_applied_once(store_ready: Path) -> None:
    claim = InquiryRecord.receive(RAW, "run-1")
    answer = ApplicantAnswer(form={"phone": "+1 512 555 0100", "address": {"city": "Dallas"}})
    inquiry = InquiryRecord.load(claim.inquiry_id)
    assert answer.apply(inquiry, 1) == ["address.city", "phone"]
    again = InquiryRecord.load(claim.inquiry_id)
    assert again.raw == RAW | {"phone": "+1 512 555 0100", "address": {"city": "Dallas"}}
    assert again.answered("answer-1")
    assert answer.apply(again, 1) == []  # a re-run: the form is already the answered one
    assert [d.decision for d in InquiryRecord.load(claim.inquiry_id).decisions].count(
        "info_received"
    ) == 1
