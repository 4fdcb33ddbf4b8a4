"""The retention cadence against real local servers: SMS to a Twilio-shaped HTTP server, email to
an SMTP server, enrollment and dispatch in the store, a dispatch killed mid-batch, and the
negative-feedback restart (seed 002)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select, update
from typer.testing import CliRunner

from blocks import SmtpServer as SmtpBlock
from blocks import TwilioCredentials, resolve
from cli import app
from csflows import store
from csflows.clients.twilio import TwilioClient
from csflows.errors import EXIT_CODES, FeedbackError, InputError
from csflows.links import run_form
from csflows.paths import PROJECT_ROOT
from csflows.retention import cadence, enroll, enroll_ready
from csflows.retention.dispatch import (
    assign_human,
    due_human_ids,
    due_message_ids,
    escalate_overdue,
    overdue_candidate_ids,
    send_messages,
)
from csflows.retention.feedback import handle_negative, record_outcome, unhandled_negative_feedback
from csflows.store.tables import CustomerRow, FeedbackRow, MessageRow, TouchpointRow
from tests.support.retention import add_customers, e164_of, twilio_fixture  # noqa: F401
from tests.support.servers import SmtpServer
from tests.support.twilio import INVALID_TO, FakeTwilio

pytestmark = pytest.mark.integration

MONDAY = date(2026, 3, 2)
MONDAY_10AM_CHICAGO = datetime(2026, 3, 2, 16, tzinfo=UTC)


def _touchpoints(customer_id: str | None = None) -> list[TouchpointRow]:
    query = select(TouchpointRow).order_by(TouchpointRow.id)
    if customer_id:
        query = query.where(TouchpointRow.customer_id == customer_id)
    with store.session() as s:
        return list(s.scalars(query))


def _by_step(customer_id: str, cycle: int = 1) -> dict[str, TouchpointRow]:
    return {t.step: t for t in _touchpoints(customer_id) if t.cycle == cycle}


def _mail() -> SmtpBlock:
    """The SMTP block as a task resolves it: the environment points it at the test's server."""
    return resolve(SmtpBlock)


def _senders() -> dict[str, SmtpBlock | TwilioClient]:
    return {"mail": _mail(), "sms": resolve(TwilioCredentials).client()}


def test_enroll_plans_every_step_once(store_ready: Path) -> None:
    ids = add_customers(3, status="active")
    assert enroll(ids, MONDAY) == 3
    assert enroll(ids, MONDAY) == 3  # again: nothing duplicated
    rows = _touchpoints()
    assert len(rows) == 3 * 8
    assert {t.due for t in rows if t.step == "first_call"} == {date(2026, 3, 9)}
    with store.session() as s:
        assert set(s.scalars(select(CustomerRow.status))) == {"in_retention"}
    with pytest.raises(ValueError, match="customer_ids: unknown customer.*C-99999"):
        enroll(["C-99999"], MONDAY)


def test_enroll_ready_uses_each_customers_local_date(store_ready: Path) -> None:
    add_customers(2, timezone="America/Chicago")
    add_customers(2, timezone="Asia/Tokyo", prefix="T")
    add_customers(1, status="active", prefix="A")
    sunday_evening_chicago = datetime(2026, 3, 2, 3, tzinfo=UTC)  # Monday noon in Tokyo
    assert enroll_ready(sunday_evening_chicago) == 4
    assert enroll_ready(sunday_evening_chicago) == 0
    # Chicago: Sunday 1 March -> welcome moves to Monday 2; first_call day 7 = Sunday 8 -> Monday 9.
    assert _by_step("C-00001")["first_call"].due == date(2026, 3, 9)
    # Tokyo: Monday 2 March -> first_call Monday 9 as well, first_visit Monday 16.
    assert _by_step("T-00001")["welcome_sms"].due == date(2026, 3, 2)
    assert _touchpoints("A-00001") == []


def test_due_sms_and_email_go_out_once(
    store_ready: Path, smtp_server: SmtpServer, twilio: FakeTwilio
) -> None:
    add_customers(3)
    enroll_ready(MONDAY_10AM_CHICAGO)
    policy = cadence()
    due = due_message_ids(MONDAY_10AM_CHICAGO, policy)
    assert len(due) == 6  # welcome SMS + email for each
    result = send_messages(due, MONDAY_10AM_CHICAGO, policy, **_senders())
    assert len(result.done) == 6 and not result.failed
    # Twilio saw the documented request: form-encoded To/From/Body with basic auth.
    [first] = twilio.to(e164_of(1))
    assert first["from"] == "+15005550006" and "welcome to Advantus" in first["body"]
    assert "Dana Ruiz" in first["body"]
    [mail] = smtp_server.to("buyer1@c.shop.example")
    assert mail.subject == "Welcome to Advantus, Shop C1"
    # the customer's answer goes to the Customer Service inbox that triage reads
    assert mail.message["Reply-To"] == "customerservice@example.com"
    # Run again, with the same ids or a fresh due query: nothing is sent twice.
    assert send_messages(due, MONDAY_10AM_CHICAGO, policy, **_senders()).counts().done == 0
    assert due_message_ids(MONDAY_10AM_CHICAGO, policy) == []
    assert len(twilio.posts()) == 3 and len(smtp_server.messages) == 3
    with store.session() as s:
        sids = set(s.scalars(select(MessageRow.provider_id).where(MessageRow.channel == "sms")))
    assert sids == {m["sid"] for m in twilio.created}


def test_nothing_goes_out_before_opening_or_on_a_holiday(
    store_ready: Path, twilio: FakeTwilio
) -> None:
    add_customers(1)
    enroll_ready(MONDAY_10AM_CHICAGO)
    policy = cadence()
    assert due_message_ids(datetime(2026, 3, 2, 13, tzinfo=UTC), policy) == []  # 07:00 CST
    assert len(due_message_ids(datetime(2026, 3, 2, 15, tzinfo=UTC), policy)) == 2


def test_twilio_refusal_fails_that_touchpoint_only(
    store_ready: Path, smtp_server: SmtpServer, twilio: FakeTwilio
) -> None:
    add_customers(2)
    with store.session() as s:
        s.get(CustomerRow, "C-00001").phone = INVALID_TO  # type: ignore[union-attr]
        s.get(CustomerRow, "C-00002").phone = "not a phone"  # type: ignore[union-attr]
    add_customers(1, first=3)
    enroll_ready(MONDAY_10AM_CHICAGO)
    policy = cadence()
    result = send_messages(
        due_message_ids(MONDAY_10AM_CHICAGO, policy), MONDAY_10AM_CHICAGO, policy, **_senders()
    )
    assert len(result.failed) == 2 and len(result.done) == 4
    failed = {t.customer_id: t.notes for t in _touchpoints() if t.status == "failed"}
    assert (
        "twilio: The 'To' number +15005550001 is not a valid phone number. (HTTP 400)"
        in failed["C-00001"]
    )
    assert "phone: 'not a phone' is not a phone number" in failed["C-00002"]


def test_dispatch_killed_mid_batch_then_rerun_sends_each_message_once(
    store_ready: Path, smtp_server: SmtpServer, twilio: FakeTwilio
) -> None:
    count = 8
    add_customers(count)
    enroll_ready(MONDAY_10AM_CHICAGO)
    policy = cadence()
    due = due_message_ids(MONDAY_10AM_CHICAGO, policy)
    assert len(due) == 2 * count
    worker: dict[str, subprocess.Popen[bytes]] = {}

    def kill_on_the_fifth(created: int) -> None:
        if created == 5:  # Twilio has taken the 5th SMS; the worker dies before hearing back
            os.kill(worker["process"].pid, signal.SIGKILL)

    twilio.on_create = kill_on_the_fifth
    script = (
        "import sys, json; from datetime import datetime;"
        "from csflows.retention import cadence;"
        "from csflows.retention.dispatch import send_messages;"
        "from blocks import SmtpServer, TwilioCredentials, resolve;"
        "send_messages(json.loads(sys.argv[1]), datetime.fromisoformat(sys.argv[2]), cadence(),"
        " mail=resolve(SmtpServer), sms=resolve(TwilioCredentials).client())"
    )
    worker["process"] = subprocess.Popen(
        [sys.executable, "-c", script, str(due), MONDAY_10AM_CHICAGO.isoformat()],
        cwd=PROJECT_ROOT,
        env=os.environ | {"PYTHONPATH": str(PROJECT_ROOT)},
    )
    assert worker["process"].wait(timeout=120) == -signal.SIGKILL
    assert len(twilio.created) == 5
    assert all(t.status == "pending" for t in _touchpoints())  # progress not recorded yet
    twilio.on_create = None

    result = send_messages(
        due_message_ids(MONDAY_10AM_CHICAGO, policy), MONDAY_10AM_CHICAGO, policy, **_senders()
    )

    assert not result.failed
    for n in range(1, count + 1):
        assert len(twilio.to(e164_of(n))) == 1, f"SMS to customer {n}"
        assert len(smtp_server.to(f"buyer{n}@c.shop.example")) == 1, f"email to customer {n}"
    assert len(twilio.posts()) == count  # the 5th was found by asking Twilio, not sent again
    assert {t.status for t in _touchpoints() if t.kind in {"sms", "email"} and t.due == MONDAY} == {
        "done"
    }
    with store.session() as s:
        assert s.scalar(select(func.count()).where(MessageRow.status == "sent")) == 2 * count


def test_calls_and_visits_assigned_with_invite_then_escalated(
    store_ready: Path, smtp_server: SmtpServer
) -> None:
    add_customers(1)
    enroll_ready(MONDAY_10AM_CHICAGO)
    policy = cadence()
    visit_day = datetime(2026, 3, 16, 15, tzinfo=UTC)  # 10:00 CDT (DST began 8 March)
    due = due_human_ids(visit_day, policy)
    assert len(due) == 2  # first_call (9 March) and first_visit (16 March)
    form = run_form("0b8f5c1e-4a51-4c39-9d8e-2f1c7e3a9b10", {"touchpoint_id": 0}).rsplit("?", 1)[0]
    assigned = assign_human(
        due, visit_day, policy, mail=_mail(), outcome_form=lambda i: f"{form}?touchpoint={i}"
    )
    assert len(assigned.done) == 2
    assert assign_human(due, visit_day, policy, mail=_mail()).counts().done == 0
    steps = _by_step("C-00001")
    assert steps["first_visit"].status == "assigned"
    assert steps["first_visit"].assigned_to == "dana.ruiz@advantus.example"
    mails = smtp_server.to("dana.ruiz@advantus.example")
    assert len(mails) == 2
    visit_mail = next(m for m in mails if m.subject.strip().startswith("Client visit"))
    # the agent records the outcome in a form already filled in for this visit
    assert f"{form}?touchpoint={steps['first_visit'].id}" in visit_mail.text
    [invite] = list(visit_mail.message.iter_attachments())
    assert invite.get_content_type() == "text/calendar"
    ics = invite.get_content()
    ics = ics.decode() if isinstance(ics, bytes) else ics
    assert "DTSTART:20260316T140000Z" in ics  # 09:00 CDT
    assert f"UID:touchpoint-{steps['first_visit'].id}@csflows" in ics

    # Tuesday 17 March 10:00 CDT: the call (due 9 March) is long overdue, the visit is not yet.
    tuesday = datetime(2026, 3, 17, 15, tzinfo=UTC)
    escalated = escalate_overdue(
        overdue_candidate_ids(tuesday, policy), tuesday, policy, mail=_mail()
    )
    assert escalated.done == [steps["first_call"].id]
    [manager_mail] = smtp_server.to("sales.manager@advantus.example")
    assert "Overdue call: Shop C1" in manager_mail.subject
    assert (
        escalate_overdue(overdue_candidate_ids(tuesday, policy), tuesday, policy, mail=_mail()).done
        == []
    )
    # Wednesday 18 March 15:00 CDT: the visit is 22 business hours past its opening.
    wednesday = datetime(2026, 3, 18, 20, tzinfo=UTC)
    late = escalate_overdue(
        overdue_candidate_ids(wednesday, policy), wednesday, policy, mail=_mail()
    )
    assert late.done == [steps["first_visit"].id]


def test_negative_call_outcome_restarts_the_cadence(
    store_ready: Path, smtp_server: SmtpServer
) -> None:
    add_customers(1)
    enroll_ready(MONDAY_10AM_CHICAGO)
    call = _by_step("C-00001")["first_call"]
    recorded_at = datetime(2026, 3, 9, 21, tzinfo=UTC)  # Monday 16:00 CDT
    outcome = record_outcome(call.id, "negative", "Two damaged cartons", "Dana Ruiz", recorded_at)
    assert unhandled_negative_feedback() == [outcome.feedback_id]

    handled = handle_negative(outcome.feedback_id, recorded_at, mail=_mail())

    # 1. The sales agent is told.
    agent_mail = smtp_server.to("dana.ruiz@advantus.example")
    told = next(m for m in agent_mail if m.subject.strip().startswith("Negative feedback"))
    assert "Two damaged cartons" in told.text and "touchpoint:" in told.text
    # 2. A client visit within 48 hours (seed 002: clock hours, not business hours), assigned
    # with an invitation: planned Tuesday, due by Wednesday 11 March 16:00 CDT.
    assert handled.visit_on == date(2026, 3, 10)
    assert handled.visit_by == datetime(2026, 3, 11, 21, tzinfo=UTC)
    assert "Wednesday 2026-03-11 16:00 CDT (within 48 hours of the feedback)" in told.text
    invite_mail = next(
        m for m in agent_mail if m.subject.strip().startswith("Client visit due 2026-03-10")
    )
    assert [a.get_content_type() for a in invite_mail.message.iter_attachments()] == [
        "text/calendar"
    ]
    # 3. Back to month 1: the old cycle's open steps cancelled, a new cycle from today.
    old, new = _by_step("C-00001", 1), _by_step("C-00001", 2)
    assert old["first_call"].status == "done" and old["first_call"].outcome == "negative"
    assert {old[k].status for k in ("first_visit", "checkin_sms", "third_month_visit")} == {
        "cancelled"
    }
    assert handled.cycle == 2 and new["welcome_sms"].due == date(2026, 3, 9)
    assert new["first_call"].due == date(2026, 3, 16)
    assert new["recovery_visit"].status == "assigned"
    assert unhandled_negative_feedback() == []
    # Acting again changes nothing and sends nothing.
    before = len(smtp_server.messages)
    again = handle_negative(outcome.feedback_id, recorded_at, mail=_mail())
    assert again.already_handled and again.visit_touchpoint_id == handled.visit_touchpoint_id
    assert len(smtp_server.messages) == before and len(_touchpoints("C-00001")) == 8 + 9
    # The old cycle's cancelled visit cannot take an outcome any more.
    with pytest.raises(FeedbackError, match="cancelled when the customer's cadence restarted"):
        record_outcome(old["first_visit"].id, "positive", "", "Dana Ruiz", recorded_at)


def test_a_call_logged_late_counts_the_48_hours_from_when_it_happened(
    store_ready: Path, smtp_server: SmtpServer
) -> None:
    """An agent logs Friday's call on Monday (`touchpoint record --at`): the deadline was
    Sunday, 48 hours after the call, and the agent's mail says so."""
    add_customers(1)
    enroll_ready(MONDAY_10AM_CHICAGO)
    call = _by_step("C-00001")["first_call"]
    friday_call = datetime(2026, 3, 13, 15, tzinfo=UTC)  # Friday 10:00 CDT
    monday = datetime(2026, 3, 16, 14, tzinfo=UTC)
    outcome = record_outcome(call.id, "negative", "Rude driver", "Dana Ruiz", friday_call)
    handled = handle_negative(outcome.feedback_id, monday, mail=_mail())
    assert handled.visit_by == datetime(2026, 3, 15, 15, tzinfo=UTC)  # Sunday 10:00 CDT
    told = next(
        m
        for m in smtp_server.to("dana.ruiz@advantus.example")
        if m.subject.strip().startswith("Negative feedback")
    )
    assert "Sunday 2026-03-15 10:00 CDT" in told.text


def test_touchpoint_record_at_logs_a_call_after_it_happened(
    store_ready: Path, smtp_server: SmtpServer
) -> None:
    add_customers(1)
    enroll_ready(MONDAY_10AM_CHICAGO)
    call = _by_step("C-00001")["first_call"]
    runner = CliRunner()
    future = runner.invoke(
        app,
        [
            "touchpoint",
            "record",
            str(call.id),
            "--outcome",
            "positive",
            "--at",
            "2999-01-01T09:00Z",
        ],
    )
    assert future.exit_code == EXIT_CODES[InputError] and "is in the future" in future.output
    naive = runner.invoke(
        app,
        ["touchpoint", "record", str(call.id), "--outcome", "positive", "--at", "2026-03-13T10:00"],
    )
    assert naive.exit_code == EXIT_CODES[InputError] and "has no UTC offset" in naive.output
    done = runner.invoke(
        app,
        [
            "touchpoint",
            "record",
            str(call.id),
            "--outcome",
            "negative",
            "--notes",
            "Late again",
            "--at",
            "2026-03-13T10:00-05:00",
        ],
    )
    assert done.exit_code == 0, done.output
    with store.session() as s:
        assert s.get(TouchpointRow, call.id).done_at.replace(tzinfo=UTC) == datetime(  # type: ignore[union-attr]
            2026, 3, 13, 15, tzinfo=UTC
        )
    told = next(
        m
        for m in smtp_server.to("dana.ruiz@advantus.example")
        if m.subject.strip().startswith("Negative feedback")
    )
    assert "Sunday 2026-03-15 10:00 CDT" in told.text


def test_complaint_ticket_feedback_is_handled_too(
    store_ready: Path, smtp_server: SmtpServer
) -> None:
    add_customers(1)
    enroll_ready(MONDAY_10AM_CHICAGO)
    with store.session() as s:
        row = FeedbackRow(
            customer_id="C-00001", outcome="negative", source="ticket:17", notes="Late delivery"
        )
        s.add(row)
        s.flush()
        feedback_id = row.id
    handled = handle_negative(feedback_id, datetime(2026, 3, 3, 15, tzinfo=UTC), mail=_mail())
    assert handled.cycle == 2
    with store.session() as s:
        assert s.get(FeedbackRow, feedback_id).handled_at is not None  # type: ignore[union-attr]
    assert any("ticket:17" in m.text for m in smtp_server.to("dana.ruiz@advantus.example"))


def test_outcome_input_errors_name_the_field(store_ready: Path) -> None:
    now = datetime(2026, 3, 9, 21, tzinfo=UTC)
    with pytest.raises(FeedbackError, match="outcome: expected positive, neutral or negative"):
        record_outcome(1, "meh", "", "", now)
    with pytest.raises(FeedbackError, match="touchpoint_id: touchpoint 404 does not exist"):
        record_outcome(404, "positive", "", "", now)
    add_customers(1)
    enroll_ready(MONDAY_10AM_CHICAGO)
    call = _by_step("C-00001")["first_call"]
    first = record_outcome(call.id, "positive", "All good", "Dana", now)
    assert record_outcome(call.id, "positive", "All good", "Dana", now).already_recorded
    assert first.feedback_id
    with pytest.raises(FeedbackError, match="already has outcome 'positive'"):
        record_outcome(call.id, "negative", "", "Dana", now)
    assert unhandled_negative_feedback() == []


def test_agent_records_a_negative_visit_from_the_cli(
    store_ready: Path, smtp_server: SmtpServer
) -> None:
    from typer.testing import CliRunner

    from cli import app

    add_customers(1)
    enroll_ready(MONDAY_10AM_CHICAGO)
    visit = _by_step("C-00001")["first_visit"]
    runner = CliRunner()
    result = runner.invoke(
        app,
        ["touchpoint", "record", str(visit.id), "--outcome", "negative", "--notes", "Rude driver"],
    )
    assert result.exit_code == 0, result.output
    assert "cadence restarted at cycle 2" in result.output
    listed = runner.invoke(app, ["touchpoint", "list", "--customer", "C-00001", "--json"])
    import json

    open_steps = {(r["cycle"], r["step"]) for r in json.loads(listed.stdout)}
    assert (2, "recovery_visit") in open_steps and (1, "third_month_visit") not in open_steps
    bad = runner.invoke(app, ["touchpoint", "record", str(visit.id), "--outcome", "great"])
    assert bad.exit_code == 2 and "great" in bad.output


def test_a_restart_during_a_batch_is_not_overwritten(
    store_ready: Path, smtp_server: SmtpServer, twilio: FakeTwilio
) -> None:
    add_customers(2)
    enroll_ready(MONDAY_10AM_CHICAGO)
    policy = cadence()

    def negative_feedback_meanwhile(created: int) -> None:
        if created == 1:  # while the batch runs, C-00001's cadence restarts
            with store.session() as s:
                s.execute(
                    update(TouchpointRow)
                    .where(TouchpointRow.customer_id == "C-00001")
                    .values(status="cancelled")
                )

    twilio.on_create = negative_feedback_meanwhile
    send_messages(
        due_message_ids(MONDAY_10AM_CHICAGO, policy), MONDAY_10AM_CHICAGO, policy, **_senders()
    )
    assert {t.status for t in _touchpoints("C-00001")} == {"cancelled"}
    assert _by_step("C-00002")["welcome_sms"].status == "done"
