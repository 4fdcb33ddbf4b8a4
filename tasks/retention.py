"""The retention cadence's Prefect tasks: thin wrappers over csflows.retention, one task run per
batch of touchpoints (never one per customer), retried on transient faults only."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from prefect import get_run_logger, task
from prefect.client.orchestration import get_client

from blocks import SmtpServer, TwilioCredentials, resolve
from csflows.links import run_form
from csflows.models import DeliveryStatus
from csflows.people import people
from csflows.retention import cadence, dispatch, enroll_ready, feedback, report
from csflows.retention.replies import store_sms_replies
from tasks.retry import TRANSIENT_RETRIES


@dataclass
class DueWork:
    messages: list[int]
    human: list[int]
    overdue: list[int]


@task(name="enroll-ready-customers")
def enroll_ready_customers(now: datetime) -> int:
    """Every customer vetting left ready_for_retention, in set-based inserts."""
    return enroll_ready(now)


@task(name="find-due-touchpoints")
def find_due_touchpoints(now: datetime) -> DueWork:
    policy = cadence()
    return DueWork(
        messages=dispatch.due_message_ids(now, policy),
        human=dispatch.due_human_ids(now, policy),
        overdue=dispatch.overdue_candidate_ids(now, policy),
    )


@task(name="find-negative-feedback")
def find_negative_feedback() -> list[int]:
    return feedback.unhandled_negative_feedback()


@task(
    name="send-touchpoint-messages",
    task_run_name=lambda: _run_name("send"),
    **TRANSIENT_RETRIES,
)
def send_touchpoint_messages(ids: list[int], now: datetime) -> dispatch.BatchCounts:
    """SMS and email touchpoints of one batch, each sent once."""
    return dispatch.send_messages(
        ids, now, cadence(), mail=resolve(SmtpServer), sms=resolve(TwilioCredentials).client()
    ).counts()


@task(
    name="assign-calls-and-visits", task_run_name=lambda: _run_name("assign"), **TRANSIENT_RETRIES
)
def assign_calls_and_visits(ids: list[int], now: datetime) -> dispatch.BatchCounts:
    return dispatch.assign_human(
        ids, now, cadence(), mail=resolve(SmtpServer), outcome_form=outcome_form_link()
    ).counts()


OUTCOME_DEPLOYMENT = "record-touchpoint-outcome/record-touchpoint-outcome"


def outcome_form_link() -> Callable[[int], str] | None:
    """The record-touchpoint-outcome Run form, filled in for a touchpoint; None when the
    deployment is not served here (the mail then names it instead)."""
    try:
        with get_client(sync_client=True) as client:
            deployment_id = client.read_deployment_by_name(OUTCOME_DEPLOYMENT).id
    except Exception:  # noqa: BLE001 - no server or no deployment: the mail says what to run
        return None
    return lambda touchpoint_id: run_form(deployment_id, {"touchpoint_id": touchpoint_id})


@task(name="escalate-overdue", task_run_name=lambda: _run_name("escalate"), **TRANSIENT_RETRIES)
def escalate_overdue(ids: list[int], now: datetime) -> dispatch.BatchCounts:
    return dispatch.escalate_overdue(ids, now, cadence(), mail=resolve(SmtpServer)).counts()


@task(
    name="act-on-negative-feedback",
    task_run_name=lambda: _run_name("feedback"),
    **TRANSIENT_RETRIES,
)
def act_on_negative_feedback(ids: list[int], now: datetime) -> feedback.FeedbackBatch:
    """Seed 002's three steps for each negative feedback of the batch; a row that cannot be
    acted on (its customer is unknown) is reported and stays unhandled, the rest go on."""
    logger = get_run_logger()
    mail = resolve(SmtpServer)
    batch = feedback.FeedbackBatch()
    for feedback_id in ids:
        try:
            batch.handled.append(feedback.handle_negative(feedback_id, now, cadence(), mail=mail))
        except feedback.FeedbackError as exc:
            logger.error("feedback %s not acted on: %s", feedback_id, exc)
            batch.refused[feedback_id] = str(exc)
    return batch


@task(name="fetch-sms-replies", **TRANSIENT_RETRIES)
def fetch_sms_replies(since: datetime) -> list[int]:
    """Customers' SMS replies to our number since `since`, stored as tickets (new ones' ids)."""
    twilio = resolve(TwilioCredentials).client()
    return store_sms_replies(twilio.received(since), str(people().cs_queue))


@task(name="touchpoints-this-week")
def touchpoints_this_week(now: datetime) -> list[report.WeekTouchpoint]:
    return report.touchpoints_this_week(now.date(), cadence())


@task(name="open-work-by-agent")
def open_work_by_agent(now: datetime) -> list[report.AgentWork]:
    """Open calls and visits per agent, for the operators' due list."""
    return report.open_work_by_agent(now.date(), cadence())


@task(name="record-outcome")
def record_outcome(
    touchpoint_id: int, outcome: str, notes: str, recorded_by: str, now: datetime
) -> feedback.RecordedOutcome:
    return feedback.record_outcome(touchpoint_id, outcome, notes, recorded_by, now)


@task(name="compute-monthly-report")
def compute_monthly_report(month: str) -> report.MonthlyReport:
    from datetime import date

    return report.monthly_report(date.fromisoformat(f"{month}-01"), cadence())


@task(name="email-monthly-report", **TRANSIENT_RETRIES)
def email_monthly_report(monthly_report: report.MonthlyReport) -> list[DeliveryStatus]:
    return report.email_report(monthly_report, cadence(), mail=resolve(SmtpServer))


def _run_name(action: str) -> str:
    from prefect.runtime import task_run

    ids = task_run.parameters.get("ids") or []
    return f"{action} {len(ids)} from #{ids[0]}" if ids else f"{action} none"
