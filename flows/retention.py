"""The customer retention procedure (seed 002): the three-month cadence, what a call or visit
outcome sets off, and the monthly targets of 30 new accounts and 50 meetings."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Literal

from prefect import flow
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from pydantic import BaseModel

from csflows.errors import FeedbackError
from csflows.markdown import literal
from csflows.models import DeliveryStatus, Outcome
from csflows.retention import cadence
from csflows.retention.dispatch import BatchCounts, batches
from csflows.retention.report import label, previous_month
from tasks.retention import (
    act_on_negative_feedback,
    assign_calls_and_visits,
    compute_monthly_report,
    email_monthly_report,
    enroll_ready_customers,
    escalate_overdue,
    fetch_sms_replies,
    find_due_touchpoints,
    find_negative_feedback,
    open_work_by_agent,
    record_outcome,
    send_touchpoint_messages,
    touchpoints_this_week,
)

FEEDBACK_BATCH = 50


class DispatchSummary(BaseModel):
    """One dispatch: customers enrolled, negative feedback acted on or refused, and touchpoint
    counts by result (done, already_sent, failed) for messages, assignments and escalations."""

    enrolled: int
    negative_feedback_handled: int
    negative_feedback_refused: int
    messages: BatchCounts
    assigned: BatchCounts
    escalated: BatchCounts


class OutcomeRecorded(BaseModel):
    """A call or visit outcome; for a negative one, the cycle restarted and the visit's day."""

    touchpoint_id: int
    customer_id: str
    outcome: str
    feedback_id: int
    restarted_cycle: int | None = None
    visit_on: str | None = None


class ReportSent(BaseModel):
    """The month reported, how many sales agents it covers, and each recipient's delivery."""

    month: str
    agents: int
    meetings_held: int
    meetings_short: int
    new_accounts: int
    new_accounts_short: int
    emails: list[DeliveryStatus]


@flow(name="retention-dispatch", log_prints=True)
def retention_dispatch(
    batch_size: int | None = None, now: datetime | None = None
) -> DispatchSummary:
    """Hourly on business days: enroll new customers, act on negative feedback, send due SMS and
    email once, assign due calls and visits to sales agents, escalate overdue ones."""
    now = now or datetime.now(UTC)
    size = batch_size or cadence().dispatch.batch_size
    enrolled = enroll_ready_customers(now)

    restarted, refused = _act_on_negative_feedback(now)

    due = find_due_touchpoints(now)
    sends = [send_touchpoint_messages.submit(ids, now) for ids in batches(due.messages, size)]
    assigns = [assign_calls_and_visits.submit(ids, now) for ids in batches(due.human, size)]
    escalations = [escalate_overdue.submit(ids, now) for ids in batches(due.overdue, size)]
    summary = DispatchSummary(
        enrolled=enrolled,
        negative_feedback_handled=restarted,
        negative_feedback_refused=refused,
        messages=sum((f.result() for f in sends), BatchCounts()),
        assigned=sum((f.result() for f in assigns), BatchCounts()),
        escalated=sum((f.result() for f in escalations), BatchCounts()),
    )
    create_table_artifact(
        key="retention-dispatch",
        table=[
            {"activity": "customers enrolled", "count": enrolled},
            {"activity": "negative feedback acted on", "count": restarted},
            {"activity": "negative feedback refused", "count": refused},
            *(
                {"activity": f"{name}: {outcome}", "count": count}
                for name, counts in (
                    ("messages", summary.messages),
                    ("assigned", summary.assigned),
                    ("escalated", summary.escalated),
                )
                for outcome, count in counts.model_dump().items()
            ),
        ],
        description=f"Retention dispatch at {now:%Y-%m-%d %H:%M} UTC",
    )
    create_table_artifact(
        key="retention-due-list",
        table=[work.model_dump(mode="json") for work in open_work_by_agent(now)],
        description="Open calls and visits per sales agent after this dispatch",
    )
    create_table_artifact(
        key="touchpoints-this-week",
        table=[t.model_dump(mode="json") for t in touchpoints_this_week(now)],
        description="Calls and visits due this week (and past due), soonest first",
    )
    print(f"retention dispatch: {summary.model_dump()}")
    return summary


def _act_on_negative_feedback(now: datetime) -> tuple[int, int]:
    """Seed 002's three steps for every unhandled negative feedback, in batches; how many were
    acted on and how many refused."""
    negative = find_negative_feedback()
    handled = [
        act_on_negative_feedback.submit(ids, now) for ids in batches(negative, FEEDBACK_BATCH)
    ]
    acted = [future.result() for future in handled]
    return sum(len(b.handled) for b in acted), sum(len(b.refused) for b in acted)


class FeedbackActedOn(BaseModel):
    """One negative-feedback run: the feedback acted on and the feedback refused."""

    handled: int
    refused: int


@flow(name="retention-negative-feedback", log_prints=True)
def retention_negative_feedback(now: datetime | None = None) -> FeedbackActedOn:
    """Seed 002's 48 hours hold on weekends too: every few minutes, any day, act on negative
    feedback (a complaint by mail or SMS that triage recorded, an outcome logged late), so it
    is never first seen on Monday by the weekday dispatch."""
    restarted, refused = _act_on_negative_feedback(now or datetime.now(UTC))
    print(f"negative feedback: {restarted} acted on, {refused} refused")
    return FeedbackActedOn(handled=restarted, refused=refused)


@flow(
    name="record-touchpoint-outcome",
    flow_run_name="outcome-{touchpoint_id}-{outcome}",
    log_prints=True,
)
def record_touchpoint_outcome(
    touchpoint_id: int,
    outcome: Literal["positive", "neutral", "negative"],
    notes: str = "",
    recorded_by: str = "",
    happened_at: datetime | None = None,
) -> OutcomeRecorded:
    """A sales agent's call or visit outcome; negative feedback updates the agent, schedules a
    client visit within 48 hours of when it was said (`happened_at`, default now) and restarts
    the cadence at month 1."""
    now = datetime.now(UTC)
    recorded = record_outcome(touchpoint_id, outcome, notes, recorded_by, happened_at or now)
    result = OutcomeRecorded(
        touchpoint_id=recorded.touchpoint_id,
        customer_id=recorded.customer_id,
        outcome=recorded.outcome.value,
        feedback_id=recorded.feedback_id,
    )
    if recorded.outcome == Outcome.NEGATIVE:
        batch = act_on_negative_feedback([recorded.feedback_id], now)
        if batch.refused:
            raise FeedbackError(batch.refused[recorded.feedback_id])
        [handled] = batch.handled
        result = result.model_copy(
            update={"restarted_cycle": handled.cycle, "visit_on": str(handled.visit_on)}
        )
        create_markdown_artifact(
            key=f"negative-feedback-{recorded.customer_id.lower()}",
            markdown=(
                f"## Negative feedback: customer {literal(recorded.customer_id)}\n\n"
                f"1. Sales agent updated by email.\n"
                f"2. Client visit scheduled for {handled.visit_on} "
                f"(touchpoint {handled.visit_touchpoint_id}).\n"
                f"3. Cadence restarted at month 1: cycle {handled.cycle}.\n"
            ),
        )
    print(f"touchpoint {touchpoint_id}: {outcome} recorded (feedback {recorded.feedback_id})")
    return result


@flow(name="retention-monthly-report", log_prints=True)
def retention_monthly_report(month: str | None = None) -> ReportSent:
    """On the 1st: last month against seed 002's minimums (50 meetings held, 30 new accounts
    won), each sales agent's share, and planned calls and visits against capacity ahead."""
    month = month or label(previous_month(date.today()))
    report = compute_monthly_report(month)
    create_table_artifact(
        key="retention-monthly-report",
        table=[a.as_row() for a in report.agents],
        description=f"Retention {report.month}. {report.team.headline()} Each agent's share:",
    )
    create_table_artifact(
        key="retention-meeting-capacity",
        table=[c.as_row() for c in report.capacity],
        description=f"Planned calls and visits vs capacity after {report.month} (a forecast). "
        f"{report.summary}",
    )
    sent = email_monthly_report(report)
    print(report.summary)
    team = report.team
    return ReportSent(
        month=report.month,
        agents=len(report.agents),
        meetings_held=team.meetings_held,
        meetings_short=team.meetings_short,
        new_accounts=team.new_accounts,
        new_accounts_short=team.new_accounts_short,
        emails=sent,
    )


@flow(name="poll-sms-replies", log_prints=True)
def poll_sms_replies(days: int = 2) -> list[int]:
    """Seed 002, month 2: customers' SMS answers to the check-in, read from Twilio's Messages
    list for our number (no public webhook needed) and stored as tickets of the customer; the
    next triage run types them, and a complaint starts the negative-feedback steps."""
    since = datetime.now(UTC) - timedelta(days=days)
    stored = fetch_sms_replies(since)
    print(f"{len(stored)} new SMS replies stored as tickets")
    return stored
