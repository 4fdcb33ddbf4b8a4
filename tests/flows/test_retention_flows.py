"""The retention flows under Prefect's test harness, with real local SMTP and Twilio-shaped
servers: batched dispatch, a dispatch that fails midway and is re-run, outcomes, the report."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from email.message import EmailMessage
from pathlib import Path

import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId
from prefect.client.schemas.sorting import TaskRunSort
from sqlalchemy import select, update

from csflows import store
from csflows.retention import enroll
from csflows.retention.dispatch import BatchCounts
from csflows.store.tables import CustomerRow, InquiryRow, TicketRow, TouchpointRow
from flows.retention import (
    poll_sms_replies,
    record_touchpoint_outcome,
    retention_dispatch,
    retention_monthly_report,
    retention_negative_feedback,
)
from flows.triage import triage_inbox
from tests.support.imap import DovecotServer
from tests.support.retention import add_customers, e164_of, twilio_fixture  # noqa: F401
from tests.support.servers import Reply, SmtpServer
from tests.support.twilio import FakeTwilio

MONDAY_10AM_CHICAGO = datetime(2026, 3, 2, 16, tzinfo=UTC)


async def _task_runs(flow_run_id: str) -> list[str]:
    async with get_client() as client:
        runs = await client.read_task_runs(
            flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id])),
            sort=TaskRunSort.EXPECTED_START_TIME_ASC,
            limit=200,
        )
    return [r.name for r in runs]


def test_dispatch_batches_and_sends_each_message_once(
    store_ready: Path, smtp_server: SmtpServer, twilio: FakeTwilio
) -> None:
    add_customers(7)
    state = retention_dispatch(batch_size=4, now=MONDAY_10AM_CHICAGO, return_state=True)
    summary = state.result()
    assert summary.enrolled == 7
    assert summary.messages == BatchCounts(done=14, already_sent=0, failed=0)
    assert len(twilio.posts()) == 7 and len(smtp_server.messages) == 7
    names = asyncio.run(_task_runs(str(state.state_details.flow_run_id)))
    # 14 due messages in batches of 4: four task runs, not one per customer.
    sizes = sorted(int(n.split()[1]) for n in names if n.startswith("send "))
    assert sizes == [2, 4, 4, 4]
    again = retention_dispatch(batch_size=4, now=MONDAY_10AM_CHICAGO)
    assert again.messages == BatchCounts() and len(twilio.posts()) == 7  # nothing due


def test_dispatch_that_fails_midway_is_rerun_without_duplicates(
    store_ready: Path, smtp_server: SmtpServer, twilio: FakeTwilio
) -> None:
    add_customers(6)

    def outage_after_three(created: int) -> None:
        if created == 3:
            twilio.server.route(
                "POST",
                twilio.path,
                Reply(400, {"code": 20003, "message": "Authenticate", "status": 400}),
            )

    # A permanent refusal mid-batch fails the rest of that batch's SMS, it does not stop emails.
    twilio.on_create = outage_after_three
    first = retention_dispatch(batch_size=100, now=MONDAY_10AM_CHICAGO)
    assert first.messages.done == 3 + 6 and first.messages.failed == 3
    # The failed ones are retried by resetting them (what an operator does after fixing Twilio).
    twilio.install()
    twilio.on_create = None
    with store.session() as s:
        s.execute(
            update(TouchpointRow).where(TouchpointRow.status == "failed").values(status="pending")
        )
    second = retention_dispatch(batch_size=100, now=MONDAY_10AM_CHICAGO)
    assert second.messages.done == 3
    for n in range(1, 7):
        assert len(twilio.to(e164_of(n))) == 1
        assert len(smtp_server.to(f"buyer{n}@c.shop.example")) == 1


def test_negative_outcome_from_the_run_form(store_ready: Path, smtp_server: SmtpServer) -> None:
    add_customers(1, status="active")
    enroll(["C-00001"], date(2026, 3, 2))
    with store.session() as s:
        call_id = s.scalar(select(TouchpointRow.id).where(TouchpointRow.step == "first_call"))
    assert call_id is not None
    result = record_touchpoint_outcome(
        touchpoint_id=call_id, outcome="negative", notes="Order arrived late", recorded_by="Dana"
    )
    assert result.restarted_cycle == 2 and result.outcome == "negative"
    with store.session() as s:
        query = select(TouchpointRow.step, TouchpointRow.status).where(TouchpointRow.cycle == 1)
        statuses = {step: status for step, status in s.execute(query).tuples()}
        assert s.get(CustomerRow, "C-00001").status == "in_retention"  # type: ignore[union-attr]
    assert statuses["first_call"] == "done" and statuses["first_visit"] == "cancelled"
    subjects = [m.subject.strip() for m in smtp_server.to("dana.ruiz@advantus.example")]
    assert any(s.startswith("Negative feedback from Shop C1") for s in subjects)
    assert any(s.startswith("Client visit due") for s in subjects)


def test_outcome_flow_refuses_an_unknown_touchpoint(store_ready: Path) -> None:
    state = record_touchpoint_outcome(
        touchpoint_id=999, outcome="positive", notes="", recorded_by="", return_state=True
    )
    assert state.is_failed()
    with pytest.raises(ValueError, match="touchpoint_id: touchpoint 999 does not exist"):
        state.result()


def test_monthly_report_emails_targets_and_capacity(
    store_ready: Path, smtp_server: SmtpServer
) -> None:
    """Seed 002's targets as minimums: meetings held (calls and visits with an outcome) and
    customers won through vetting, against 50 and 30, with the shortfall; CRM imports and
    visits without an outcome count for neither."""
    add_customers(3, status="active")
    with store.session() as s:
        for n in (1, 2):  # two customers won through vetting; C-00003 came from a CRM import
            inquiry = InquiryRow(
                dedupe_key=f"won-{n}", raw="{}", status="customer_created", rep="jordan-diaz"
            )
            s.add(inquiry)
            s.flush()
            s.execute(
                update(CustomerRow)
                .where(CustomerRow.id == f"C-0000{n}")
                .values(inquiry_id=inquiry.id)
            )
        s.execute(update(CustomerRow).values(created_at=datetime(2026, 10, 5, tzinfo=UTC)))
    enroll(["C-00001", "C-00002", "C-00003"], date(2026, 10, 5))
    done = {"status": "done", "done_at": datetime(2026, 10, 19, 15, tzinfo=UTC)}
    with store.session() as s:
        s.execute(
            update(TouchpointRow)
            .where(TouchpointRow.step.in_(["first_call", "first_visit"]))
            .values(**done, outcome="positive")
        )
        s.execute(  # a visit marked done without an outcome is not a meeting held
            update(TouchpointRow)
            .where(TouchpointRow.step == "first_visit", TouchpointRow.customer_id == "C-00003")
            .values(outcome=None)
        )
    result = retention_monthly_report(month="2026-10")
    assert result.emails == ["sent", "sent"]
    assert (result.meetings_held, result.meetings_short) == (5, 45)
    assert (result.new_accounts, result.new_accounts_short) == (2, 28)
    [mail] = smtp_server.to("portfolio@advantus.example")
    assert mail.subject.strip() == ("Retention report 2026-10: meetings held and new accounts won")
    text = mail.text
    assert "Meetings held: 5 of the 50 required (45 short)." in text
    assert "New accounts won: 2 of the 30 required (28 short)." in text
    assert "New accounts by the rep who ran the inquiry: Jordan Diaz 2." in text
    assert text.index("Meetings held:") < text.index("Dana Ruiz")  # it leads
    dana = next(line for line in text.splitlines() if line.startswith("Dana Ruiz "))
    assert dana.split()[2:4] == ["2", "5"]
    assert "will overrun" in text and "about 120 meetings a month" in text
    assert retention_monthly_report(month="2026-10").emails == ["already_sent", "already_sent"]


def test_dispatch_acts_on_complaint_feedback_from_triage(
    store_ready: Path, smtp_server: SmtpServer, twilio: FakeTwilio
) -> None:
    from csflows.store.tables import FeedbackRow

    add_customers(2, status="active")
    enroll(["C-00001", "C-00002"], date(2026, 3, 2))
    with store.session() as s:
        s.add(FeedbackRow(customer_id="C-00001", outcome="negative", source="ticket:17"))
        s.add(FeedbackRow(customer_id="C-404", outcome="negative", source="ticket:18"))
    monday = datetime(2026, 3, 16, 15, tzinfo=UTC)  # 10:00 CDT

    summary = retention_dispatch(now=monday)

    assert summary.negative_feedback_handled == 1 and summary.negative_feedback_refused == 1
    assert summary.assigned.done == 2  # C-00002's call and visit; C-00001's were cancelled
    assert summary.messages.done == 4  # C-00002's late welcome, C-00001's cycle-2 welcome
    restarted = next(m for m in twilio.to(e164_of(1)))
    assert "thank you for your feedback" in restarted["body"]
    with store.session() as s:
        recovery = s.scalar(select(TouchpointRow).where(TouchpointRow.step == "recovery_visit"))
        refused = s.scalar(select(FeedbackRow).where(FeedbackRow.customer_id == "C-404"))
    assert recovery is not None and recovery.status == "assigned" and recovery.cycle == 2
    assert refused is not None and refused.handled_at is None
    from csflows.retention import cadence
    from csflows.retention.report import AgentWork, open_work_by_agent

    assert open_work_by_agent(date(2026, 3, 16), cadence()) == [
        AgentWork(agent="Dana Ruiz", calls=1, visits=2, past_due=1)
    ]


def test_a_saturday_complaint_is_acted_on_at_once_and_the_visit_is_booked_before_its_deadline(
    store_ready: Path, smtp_server: SmtpServer, twilio: FakeTwilio
) -> None:
    """Seed 002's 48 hours hold on weekends: a complaint on Saturday 07:00 CST is acted on that
    morning (not by Monday's dispatch); its deadline, Monday 07:00, is before opening time, so
    the visit is booked before it and the agent is told it falls outside opening hours."""
    from csflows.store.tables import FeedbackRow

    add_customers(1, status="active")
    enroll(["C-00001"], date(2026, 11, 23))
    saturday_7am = datetime(2026, 12, 5, 13, tzinfo=UTC)  # 07:00 CST
    with store.session() as s:
        s.add(
            FeedbackRow(
                customer_id="C-00001",
                outcome="negative",
                source="ticket:21",
                created_at=saturday_7am,
            )
        )

    acted = retention_negative_feedback(now=datetime(2026, 12, 5, 13, 20, tzinfo=UTC))

    assert (acted.handled, acted.refused) == (1, 0)
    [notice] = [m for m in smtp_server.messages if m.subject.startswith("Negative feedback")]
    assert "it must happen by Monday 2026-12-07 07:00 CST" in notice.text
    assert "the visit must happen outside them" in notice.text
    invites = [
        part.get_content()
        for m in smtp_server.messages
        for part in m.message.walk()
        if part.get_content_type() == "text/calendar"
    ]
    [ics] = [i.decode() if isinstance(i, bytes) else i for i in invites]
    start = next(line for line in ics.splitlines() if line.startswith("DTSTART"))
    assert start.endswith("20261206T150000Z")  # Sunday 09:00 CST, before the deadline
    with store.session() as s:
        visit = s.scalar(select(TouchpointRow).where(TouchpointRow.step == "recovery_visit"))
    assert visit is not None and visit.status == "assigned" and visit.due == date(2026, 12, 6)


def test_answers_to_the_check_in_reach_the_sales_agent_as_well_as_a_ticket(
    store_ready: Path, smtp_server: SmtpServer, twilio: FakeTwilio, imap_server: DovecotServer
) -> None:
    """Seed 002, month 2: the check-in SMS gives the agent's number (people.yaml), the mail says
    the agent reads the answer, and an answer by SMS or by mail is a ticket and a mail to the
    agent; a customer's mail that answers no cadence message is only a ticket."""
    add_customers(2, status="active")
    enroll(["C-00001", "C-00002"], date(2026, 3, 2))
    retention_dispatch(now=datetime(2026, 4, 1, 15, tzinfo=UTC))  # day 30, 10:00 CDT

    [checkin_sms] = [m for m in twilio.to(e164_of(1)) if "checking in" in m["body"]]
    assert "call Dana Ruiz, your sales agent, at +1 312 555 0147." in checkin_sms["body"]
    [checkin] = [m for m in smtp_server.to("buyer2@c.shop.example") if "How are" in m.subject]
    assert "your answer reaches our Customer Service team and Dana Ruiz" in checkin.text

    twilio.receive(e164_of(1), "All fine, the albums sell well.")
    assert len(poll_sms_replies(days=2)) == 1
    answer = EmailMessage()
    answer["From"], answer["To"] = "Shop C2 <buyer2@c.shop.example>", "cs@advantus.com"
    answer["Subject"], answer["Message-ID"] = f"Re: {checkin.subject}", "<answer-2@shop.example>"
    answer["In-Reply-To"] = answer["References"] = checkin.message["Message-ID"]
    answer.set_content("One carton came two days late, otherwise good.")
    unrelated = EmailMessage()
    unrelated["From"], unrelated["To"] = "buyer2@c.shop.example", "cs@advantus.com"
    unrelated["Subject"], unrelated["Message-ID"] = "Catalog", "<catalog-2@shop.example>"
    unrelated.set_content("Could you send us the new catalog?")
    imap_server.append("sales", answer)
    imap_server.append("sales", unrelated)

    summary = triage_inbox()

    assert summary.replies_to_agents == 2
    to_agent = [
        m for m in smtp_server.to("dana.ruiz@advantus.example") if "answered the" in m.subject
    ]
    by_subject = {m.subject: m.text for m in to_agent}
    assert set(by_subject) == {
        "Shop C1 (C-00001) answered the retention SMS",
        "Shop C2 (C-00002) answered the retention email",
    }
    assert (
        "All fine, the albums sell well."
        in by_subject["Shop C1 (C-00001) answered the retention SMS"]
    )
    mailed = by_subject["Shop C2 (C-00002) answered the retention email"]
    assert "month 2 email" in mailed and "One carton came two days late" in mailed
    with store.session() as s:
        tickets = s.scalars(select(TicketRow.sender)).all()
    assert sorted(tickets) == ["buyer1@c.shop.example"] + ["buyer2@c.shop.example"] * 2
    assert triage_inbox().replies_to_agents == 0  # nothing twice


def test_the_agents_call_and_visit_mail_shows_the_customers_service_tier(
    store_ready: Path, smtp_server: SmtpServer, twilio: FakeTwilio
) -> None:
    """Seed 003: the sales agent working a touchpoint sees the customer's tier (stored by the
    monthly evaluation, else from purchases: none here, so base service)."""
    add_customers(2, status="active")
    with store.session() as s:
        s.execute(
            update(CustomerRow).where(CustomerRow.id == "C-00001").values(tier="extra_special")
        )
    enroll(["C-00001", "C-00002"], date(2026, 3, 2))

    summary = retention_dispatch(now=datetime(2026, 3, 16, 15, tzinfo=UTC))

    assert summary.assigned.done == 4  # each customer's call and visit
    tasks = [m for m in smtp_server.to("dana.ruiz@advantus.example") if "due" in m.subject]
    tiers = {
        m.subject.rsplit("(", 1)[1].rstrip(")"): line
        for m in tasks
        for line in m.text.splitlines()
        if line.startswith("Service tier:")
    }
    assert tiers == {
        "C-00001": "Service tier: Extra special service (More individual attention from "
        "Customer Service)",
        "C-00002": "Service tier: Standard service",
    }
