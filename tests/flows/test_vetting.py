"""The vetting flow up to its gates, in the Prefect test harness: the raw form stored first, an
incomplete form returned with the list (by the rep when it has no usable email), a re-submitted
form continuing the same inquiry, and the same inquiry submitted twice vetted once. (The gates
need a deployment: tests/e2e.)"""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from csflows import store
from csflows.models import InquiryStatus
from csflows.paths import PROJECT_ROOT
from csflows.store.tables import DecisionRow
from csflows.vetting.inquiries import InquiryRecord
from flows.vetting import vet_new_customer, watch_approvals
from tests.support.servers import SmtpServer

INCOMPLETE: dict[str, Any] = {
    "business_name": "Paper <b>Moon</b> Crafts",
    "contact_name": "Ana Ruiz",
    "email": "ana@papermoon.example",
    "division": "Craft & Hobby",
    "address": {"street": "12 Main St", "city": "Austin", "region": "TX", "postal_code": "78701"},
}


def test_incomplete_form_is_stored_raw_and_returned_with_the_list(
    store_ready: Path, smtp_server: SmtpServer
) -> None:
    result = vet_new_customer(INCOMPLETE, source="cli")
    assert result.status == "returned_for_completion"
    shown = InquiryRecord.load(result.inquiry_id).show()
    assert shown["status"] == "returned_for_completion"
    assert InquiryRecord.load(result.inquiry_id).raw == INCOMPLETE
    [letter] = smtp_server.to("ana@papermoon.example")
    assert "needs a few more details" in letter.subject
    assert "Website" in letter.text and "Phone" in letter.text
    decisions = [d["decision"] for d in shown["decisions"]]
    assert decisions[0] == "received" and "returned_for_completion" in decisions


def test_unreadable_form_is_kept_and_every_bad_field_named(
    store_ready: Path, smtp_server: SmtpServer
) -> None:
    bad = INCOMPLETE | {"store_type": "warehouse", "first_order_amount": "lots", "fax": "1"}
    result = vet_new_customer(bad)
    assert result.status == "returned_for_completion"
    assert InquiryRecord.load(result.inquiry_id).raw == bad  # nothing the applicant sent is lost
    [letter] = smtp_server.to("ana@papermoon.example")
    for field in ("store_type", "first_order_amount", "fax"):
        assert field.replace("_", " ") in letter.text.lower()


def test_resubmitted_form_continues_the_same_inquiry(
    store_ready: Path, smtp_server: SmtpServer
) -> None:
    first = vet_new_customer(INCOMPLETE)
    again = vet_new_customer(INCOMPLETE | {"phone": "+1 512 555 0100"})
    assert again.inquiry_id == first.inquiry_id
    shown = InquiryRecord.load(first.inquiry_id).show()
    assert shown["round"] == 2
    assert InquiryRecord.load(first.inquiry_id).raw["phone"] == "+1 512 555 0100"
    letters = smtp_server.to("ana@papermoon.example")
    assert len(letters) == 2  # one per round, each with what is still missing
    assert "Phone" in letters[0].text and "Phone" not in letters[1].text


def test_an_inquiry_whose_run_is_gone_is_continued_by_the_next_submission(
    store_ready: Path, smtp_server: SmtpServer
) -> None:
    claim = InquiryRecord.receive(INCOMPLETE, flow_run_id="run-that-is-alive")
    InquiryRecord.load(claim.inquiry_id).set_status(InquiryStatus.AWAITING_APPROVAL)
    result = vet_new_customer(INCOMPLETE)
    # "run-that-is-alive" is no run the API knows: it cannot finish the inquiry, so this run
    # continues it (with a live owner it is a duplicate: tests/e2e, tests/unit)
    assert result.inquiry_id == claim.inquiry_id
    assert InquiryRecord.load(claim.inquiry_id).show()["round"] == 2


def test_decided_inquiry_submitted_again_sends_nothing(
    store_ready: Path, smtp_server: SmtpServer
) -> None:
    claim = InquiryRecord.receive(INCOMPLETE, flow_run_id="r1")
    InquiryRecord.load(claim.inquiry_id).set_status(InquiryStatus.DECLINED)
    result = vet_new_customer(INCOMPLETE)
    assert result.model_dump(exclude_none=True) == {
        "inquiry_id": claim.inquiry_id,
        "status": "declined",
        "duplicate_of": "r1",
    }
    assert smtp_server.messages == []


def test_no_usable_email_asks_the_inquirys_rep_to_send_the_form_back(
    store_ready: Path, smtp_server: SmtpServer
) -> None:
    """Seed 001: the rep sends an incomplete form back; with no address csflows can use, the
    rep who runs the inquiry is told by mail what is missing and where the run is."""
    form = INCOMPLETE | {"email": "ana at papermoon", "phone": "+1 512 555 0100"}
    result = vet_new_customer(form, rep="jordan-diaz")
    assert InquiryRecord.load(result.inquiry_id).status == "returned_for_completion"
    assert result.returned_by == "jordan.diaz@advantus.example"
    [letter] = smtp_server.messages
    assert letter.rcpt_tos == ["jordan.diaz@advantus.example"]
    assert "no usable email" in letter.subject and f"inquiry {result.inquiry_id}" in letter.subject
    assert "(Ana Ruiz, +1 512 555 0100)" in letter.text
    assert "Email" in letter.text and "Website" in letter.text  # what is missing
    assert "/runs/flow-run/" in letter.text  # the run's link


def test_no_email_at_all_goes_to_the_rep_in_rotation(
    store_ready: Path, smtp_server: SmtpServer
) -> None:
    form = {k: v for k, v in INCOMPLETE.items() if k != "email"}
    result = vet_new_customer(form)
    assert InquiryRecord.load(result.inquiry_id).status == "returned_for_completion"
    [letter] = smtp_server.messages
    assert letter.rcpt_tos == [result.returned_by] and "ana@" not in letter.text


def _waiting_since(moment: datetime) -> int:
    """An inquiry waiting for the supervisor since `moment` (as the flow leaves it at the gate)."""
    claim = InquiryRecord.receive(INCOMPLETE | {"email": "wait@shop.example"}, flow_run_id="r-wait")
    inquiry = InquiryRecord.load(claim.inquiry_id)
    inquiry.set_status(InquiryStatus.AWAITING_APPROVAL)
    inquiry.record_decision("approval-requested:1", "approval_requested", evidence={"round": 1})
    with store.session() as s:
        row = s.scalars(
            select(DecisionRow).where(DecisionRow.decision == "approval_requested")
        ).one()
        row.decided_at = moment
    return claim.inquiry_id


def test_unanswered_approval_gets_a_reminder_then_an_escalation(
    store_ready: Path, smtp_server: SmtpServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "config"
    shutil.copytree(PROJECT_ROOT / "config", config)
    policy_file = config / "approval.yaml"
    policy_file.write_text(
        policy_file.read_text()
        .replace("reminder_after_business_days: 3", "reminder_after_business_days: 0.05")
        .replace("approval_timeout_business_days: 5", "approval_timeout_business_days: 0.1")
    )
    monkeypatch.setenv("CSFLOWS_CONFIG_DIR", str(config))
    asked = datetime(2026, 11, 16, 15, 0, tzinfo=UTC)  # a Monday, 9:00 in Chicago
    inquiry_id = _waiting_since(asked)

    assert watch_approvals(now=asked + timedelta(hours=1)) == []
    [reminded] = watch_approvals(now=asked + timedelta(hours=2))
    assert reminded.action == "reminder" and reminded.to == "cs-supervisor@example.com"
    [escalated] = watch_approvals(now=asked + timedelta(hours=3))
    assert escalated.action == "escalation" and escalated.to == "cs-manager@example.com"
    assert watch_approvals(now=asked + timedelta(hours=30)) == []  # nothing twice

    [reminder] = smtp_server.to("cs-supervisor@example.com")
    [escalation] = smtp_server.to("cs-manager@example.com")
    assert "Reminder" in reminder.subject and f"inquiry {inquiry_id}" in reminder.subject
    assert "Escalated" in escalation.subject and "cs-supervisor@example.com" in escalation.text
    trail = [d["decision"] for d in InquiryRecord.load(inquiry_id).show()["decisions"]]
    assert trail[-2:] == ["approval_reminder", "approval_escalation"]
    # still answerable, never dropped
    assert InquiryRecord.load(inquiry_id).status == "awaiting_approval"


def test_weekend_hours_do_not_count_toward_the_timeout(
    store_ready: Path, smtp_server: SmtpServer
) -> None:
    friday = datetime(2026, 11, 20, 22, 0, tzinfo=UTC)  # Friday 16:00 in Chicago
    _waiting_since(friday)
    assert watch_approvals(now=datetime(2026, 11, 24, 12, 0, tzinfo=UTC)) == []  # ~1.4 days
    assert smtp_server.messages == []
