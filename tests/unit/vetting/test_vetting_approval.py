"""Vetting's rules as plain functions: business days, the scorecard's escaping, the letters,
the approval policy, and what a submitted form means for its inquiry."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from csflows.calendar import approval_actions_due, business_days_between
from csflows.errors import PolicyError
from csflows.markdown import escape, literal, safe_link
from csflows.models import (
    Assessment,
    CheckResult,
    Evidence,
    InquiryStatus,
    MissingField,
    NewCustomerInquiry,
)
from csflows.people import people
from csflows.vetting import inquiries, letters
from csflows.vetting.inquiries import InquiryRecord
from csflows.vetting.policy import ApprovalPolicy, RetailChannel, approval_policy
from csflows.vetting.scorecard import render_scorecard

TZ = "America/Chicago"


def at(day: int, hour: int = 15) -> datetime:
    return datetime(2026, 11, day, hour, tzinfo=UTC)  # November 2026: the 20th is a Friday


def test_business_days_skip_the_weekend() -> None:
    assert business_days_between(at(20), at(23), TZ) == pytest.approx(1.0)  # Fri -> Mon
    assert business_days_between(at(16), at(23), TZ) == pytest.approx(5.0)  # Mon -> Mon
    assert business_days_between(at(21), at(22), TZ) == 0.0  # Sat -> Sun


def test_holidays_do_not_count() -> None:
    assert business_days_between(at(25), at(27), TZ, [date(2026, 11, 26)]) == pytest.approx(1.0)


def test_reminder_first_then_escalation() -> None:
    assert approval_actions_due(2.9, 3, 5) == []
    assert approval_actions_due(3.0, 3, 5) == ["reminder"]
    assert approval_actions_due(5.2, 3, 5) == ["reminder", "escalation"]


def test_policy_refuses_a_reminder_after_the_timeout(tmp_path: Path) -> None:
    path = tmp_path / "approval.yaml"
    path.write_text(
        "supervisor: cs-supervisor\nmanager: nobody-known\n"
        "reminder_after_business_days: 6\napproval_timeout_business_days: 5\n"
    )
    with pytest.raises(PolicyError) as err:
        approval_policy(path)
    assert "manager: 'nobody-known' is not a person in people.yaml" in str(err.value)


def test_reviewers_are_people_of_people_yaml(tmp_path: Path) -> None:
    rules = approval_policy()
    assert (rules.supervisor_email, rules.manager_email) == (
        "cs-supervisor@example.com",
        "cs-manager@example.com",
    )
    path = tmp_path / "approval.yaml"
    path.write_text("supervisor_email: s@x.example\nmanager: cs-manager\n")
    with pytest.raises(PolicyError, match=r"supervisor_email: moved to supervisor \(a person"):
        approval_policy(path)


def test_holidays_are_the_calendars_not_approval_yaml(tmp_path: Path) -> None:
    path = tmp_path / "approval.yaml"
    path.write_text("supervisor: cs-supervisor\nmanager: cs-manager\nholidays: [2026-12-24]\n")
    with pytest.raises(PolicyError, match=r"approval.yaml: holidays: moved to calendar.yaml"):
        approval_policy(path)
    rules = approval_policy()
    assert rules.business_timezone == "America/Chicago"
    assert date(2026, 11, 26) in rules.holidays  # Thanksgiving, from the business calendar
    # Wednesday 9:00 to Monday 9:00 in Chicago: Thanksgiving and the day after do not count.
    assert rules.waited_business_days(at(25), at(30)) == pytest.approx(1.0)


def test_shipped_policy_loads() -> None:
    rules = approval_policy()
    assert rules.approval_timeout_business_days == 5
    assert rules.retail_channels == []  # no third party is named until the business lists it


def _assessment(**verdicts: str) -> Assessment:
    return Assessment(
        recommendation="decline" if "fail" in verdicts.values() else "approve",
        criteria={
            name: CheckResult(
                criterion=name, verdict=v, evidence=[Evidence(source="t", fact=f"{name} {v}")]
            )
            for name, v in verdicts.items()
        },
    )


FORM = NewCustomerInquiry(
    business_name="<script>alert(1)</script> [Shop](javascript:evil)",
    contact_name="Ana",
    email="ana@shop.example",
    division="Craft & Hobby",
    website="http://shop.example",
)


def test_scorecard_escapes_applicant_text() -> None:
    text = render_scorecard(7, FORM, _assessment(amazon="pass"))
    assert not re.search(r"(?<!\\)<", text)  # no tag can open
    assert "\\[Shop\\](javascript:evil)" in text  # no link can form
    assert "\\<script\\>alert(1)\\</script\\>" in text
    assert "**amazon: PASS**" in text and "inquiry 7" in text


def test_only_http_links_become_links() -> None:
    assert safe_link("site", "https://a.example/x") == "[site](https://a.example/x)"
    assert "](" not in safe_link("site", "javascript:alert(1)")
    assert escape("a|b\nc") == "a\\|b c"
    assert literal("http://x.example/a|b`c") == "`http://x.example/a\\|b'c`"


REP = people().get("jordan-diaz")


def _with_channels(*channels: tuple[str, str]) -> ApprovalPolicy:
    listed = [RetailChannel(name=name, url=url) for name, url in channels]  # type: ignore[arg-type]
    return approval_policy().model_copy(update={"retail_channels": listed})


def test_decline_letters_list_only_the_configured_channels_and_never_amazon_to_its_sellers() -> (
    None
):
    rules = _with_channels(("Amazon", "https://www.amazon.com/"), ("Paper Hut", "https://ph.test/"))
    amazon = letters.decline(1, FORM, _assessment(amazon="fail"), rules, REP)
    assert "Paper Hut: https://ph.test/" in amazon.body and "amazon.com" not in amazon.body
    plain = letters.decline(1, FORM, _assessment(amazon="pass", address="fail"), rules, REP)
    assert "Amazon: https://www.amazon.com/" in plain.body and "Paper Hut" in plain.body
    only_amazon = _with_channels(("Amazon Store", "https://www.amazon.com/stores/x"))
    seller = letters.decline(1, FORM, _assessment(amazon="fail"), only_amazon, REP)
    assert "amazon.com" not in seller.body and "buy our products" not in seller.body
    shipped = letters.decline(
        1, FORM, _assessment(amazon="pass", address="fail"), approval_policy(), REP
    )
    assert "http" not in shipped.body.replace("http://shop.example", "")  # nothing configured


def test_decline_letter_follows_the_failed_criterion() -> None:
    rules = approval_policy()
    amazon = letters.decline(1, FORM, _assessment(amazon="fail", address="fail"), rules, REP)
    assert amazon.template == "vetting_decline_amazon"
    minimums = letters.decline(1, FORM, _assessment(amazon="pass", minimums="fail"), rules, REP)
    assert minimums.template == "vetting_decline_minimums" and "$350" in minimums.body
    plain = letters.decline(1, FORM, _assessment(amazon="pass", website="review"), rules, REP)
    assert plain.template == "vetting_decline"
    assert amazon.key == plain.key == "vetting:1:declined"  # one decline per inquiry, whatever


def test_missing_list_uses_words_a_customer_understands() -> None:
    email = letters.incomplete(
        3,
        1,
        "ana@shop.example",
        {"contact_name": "Ana"},
        [
            MissingField(field="address.postal_code", reason="is required"),
            MissingField(field="tax_id", reason="is required"),
        ],
        REP,
    )
    assert "Address: postal code: is required" in email.body
    assert "Resale certificate or tax id: is required" in email.body
    assert email.key == "vetting:3:incomplete:1"


def test_letters_to_the_applicant_are_the_reps_and_the_rep_is_copied_on_the_outcome() -> None:
    """Seed 001: the rep who initiated the process returns the form and tells the applicant."""
    returned = letters.incomplete(
        3, 1, "ana@shop.example", {}, [MissingField(field="tax_id", reason="is required")], REP
    )
    assert returned.body.rstrip().endswith("Thank you,\nJordan Diaz\nCustomer Service")
    # the applicant's answer reaches the rep and the inbox triage reads (a returned form)
    answers_to = ["jordan.diaz@advantus.example", "customerservice@example.com"]
    assert returned.reply_to == answers_to and returned.cc == []
    decided = letters.decline(3, FORM, _assessment(amazon="fail"), approval_policy(), REP)
    assert decided.reply_to == answers_to
    assert decided.cc == ["jordan.diaz@advantus.example"]
    approved = letters.approved(3, FORM, REP)
    assert approved.cc == ["jordan.diaz@advantus.example"] and "Jordan Diaz" in approved.body


def test_dedupe_key_ignores_case_and_punctuation() -> None:
    a = {"email": "Ana@Shop.example", "business_name": "Shop, LLC", "division": "Craft & Hobby"}
    b = {
        "email": "ana@shop.example ",
        "business_name": "shop llc",
        "division": "craft  hobby",
        "phone": "1",
    }
    assert inquiries.dedupe_key(a) == inquiries.dedupe_key(b)
    assert inquiries.dedupe_key(a) != inquiries.dedupe_key(a | {"email": "other@shop.example"})


RAW = {"email": "ana@shop.example", "business_name": "Shop"}


def test_second_submission_while_the_first_run_lives_is_a_duplicate(store_ready: Path) -> None:
    first = InquiryRecord.receive(RAW, "run-1")
    assert (first.action, first.round) == ("vet", 1)
    again = InquiryRecord.receive(RAW, "run-1")  # the same run, resumed
    assert (again.action, again.inquiry_id, again.round) == ("vet", first.inquiry_id, 1)
    dup = InquiryRecord.receive(RAW, "run-2", run_alive=lambda run: run == "run-1")
    assert (dup.action, dup.owner) == ("duplicate", "run-1")


def test_a_dead_owner_is_taken_over_and_an_info_request_is_answered(store_ready: Path) -> None:
    first = InquiryRecord.receive(RAW, "run-1")
    taken = InquiryRecord.receive(RAW, "run-2", run_alive=lambda run: False)
    assert (taken.action, taken.round) == ("vet", 2)
    record = InquiryRecord.load(first.inquiry_id)
    record.set_status(InquiryStatus.INFO_REQUESTED)
    answer = InquiryRecord.receive(RAW | {"phone": "5"}, "run-3", run_alive=lambda run: True)
    assert (answer.action, answer.owner) == ("answer", "run-2")
    record.set_status(InquiryStatus.CUSTOMER_CREATED)
    assert InquiryRecord.receive(RAW, "run-4").action == "duplicate"


def test_audit_entries_are_recorded_once_per_key(store_ready: Path) -> None:
    claim = InquiryRecord.receive(RAW, "run-1")
    record = InquiryRecord.load(claim.inquiry_id)
    assert record.record_decision("gate:approval-1", "approve", "Sam", "ok")
    again = InquiryRecord.load(claim.inquiry_id)  # another run's view of the same inquiry
    assert not again.record_decision("gate:approval-1", "approve", "Sam", "ok")
    found = InquiryRecord.load(claim.inquiry_id).decision("gate:approval-1")
    assert found is not None and found.reviewer == "Sam" and found.decided_at <= datetime.now(UTC)


def test_an_answered_gate_is_read_back_not_asked_again(store_ready: Path) -> None:
    """A run retried after a crash (Prefect forgets its pause keys) finds the answer it had."""
    from csflows.vetting.gates import ApprovalDecision
    from tasks.vetting_gates import wait_at_gate

    claim = InquiryRecord.receive(RAW, "run-1")
    answer = {"decision": "decline", "reviewer": "Sam", "note": "FBA seller"}
    InquiryRecord.load(claim.inquiry_id).record_decision(
        "gate:approval-1", "decline", "Sam", evidence={"answer": answer}
    )
    retried = InquiryRecord.load(claim.inquiry_id)  # the run retried after a crash reads it back
    again = wait_at_gate(retried, "approval-1", ApprovalDecision)  # outside any run: no suspend
    assert again == ApprovalDecision(**answer)
