"""Call and visit outcomes, and what any negative feedback sets off (seed 002):
1. update the sales agent, 2. a client visit within 48 hours, 3. back to month 1.

The 48 hours are clock hours from the feedback (when the call or visit happened), in the
customer's time zone, weekend or not: the visit is booked to end by then, and the agent's mail
gives the exact deadline (and says so when opening hours do not allow the visit)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import Field
from sqlalchemy import func, select

from csflows import store
from csflows.calendar import BusinessCalendar, business_calendar
from csflows.errors import FeedbackError
from csflows.models import Model, Outcome, TouchpointKind, TouchpointStatus
from csflows.outbox import MailSender
from csflows.retention.dispatch import assign_human
from csflows.retention.enrollment import restart
from csflows.retention.notify import send_templated
from csflows.retention.plan import local_date
from csflows.retention.policy import Cadence, cadence
from csflows.store.tables import CustomerRow, FeedbackRow, TouchpointRow

RECOVERY_VISIT = "recovery_visit"


@dataclass(frozen=True)
class VisitWindow:
    """When the recovery visit is booked and the deadline it must meet."""

    visit_on: date  # the customer's local date
    visit_by: datetime  # aware, in the customer's time zone
    visit_at: datetime  # aware, in the customer's time zone: when the visit is booked
    in_hours: bool = True  # False: opening hours allow no visit by the deadline

    @property
    def outside_hours(self) -> bool:
        return not self.in_hours


def recovery_visit_window(
    feedback_at: datetime,
    hours: float,
    tz: str,
    calendar: BusinessCalendar,
    minutes: int = 0,
) -> VisitWindow:
    """The visit within `hours` clock hours of `feedback_at`, booked to end (`minutes` long) at
    or before the deadline: at opening time on the first business day after the feedback's day
    that allows it; where opening hours allow none (a weekend in between), outside them: the
    day after the feedback at the opening hour, or just before the deadline if that is too
    late. A naive instant is UTC (the store keeps UTC)."""
    given = _aware(feedback_at)
    zone = ZoneInfo(tz)
    # elapsed hours: added in UTC, so a daylight-saving change in between is still 48 hours
    visit_by = (given.astimezone(UTC) + timedelta(hours=hours)).astimezone(zone)
    latest = visit_by - timedelta(minutes=minutes)
    day_after = local_date(given, tz) + timedelta(days=1)
    day = day_after
    while day <= latest.date():
        start = datetime.combine(day, calendar.business_hours.start, tzinfo=zone)
        if calendar.is_business_day(day) and start <= latest:
            return VisitWindow(day, visit_by, start)
        day += timedelta(days=1)
    outside = min(datetime.combine(day_after, calendar.business_hours.start, tzinfo=zone), latest)
    return VisitWindow(outside.date(), visit_by, outside, in_hours=False)


def _aware(instant: datetime) -> datetime:
    return instant if instant.tzinfo else instant.replace(tzinfo=UTC)


@dataclass(frozen=True)
class RecordedOutcome:
    touchpoint_id: int
    customer_id: str
    outcome: Outcome
    feedback_id: int
    already_recorded: bool = False


class NegativeFeedbackHandled(Model):
    """Seed 002's three steps done for one negative feedback: the cycle restarted and the
    recovery visit (its touchpoint, day and deadline); already_handled on a second call."""

    feedback_id: int
    customer_id: str
    cycle: int | None
    visit_touchpoint_id: int | None
    visit_on: date | None
    visit_by: datetime | None = None
    already_handled: bool = False


class FeedbackBatch(Model):
    """What one batch of negative feedback came to: the rows acted on, and the ones that could
    not be (feedback id: why), which stay unhandled."""

    handled: list[NegativeFeedbackHandled] = Field(default_factory=list)
    refused: dict[int, str] = Field(default_factory=dict)


def parse_outcome(value: str | Outcome) -> Outcome:
    try:
        return Outcome(value)
    except ValueError as exc:
        raise FeedbackError(
            f"outcome: expected positive, neutral or negative, got {value!r}"
        ) from exc


def record_outcome(
    touchpoint_id: int, outcome: str | Outcome, notes: str, recorded_by: str, now: datetime
) -> RecordedOutcome:
    """Close a touchpoint with its outcome and keep the feedback; recording it again is a no-op.
    `now` is when the call or visit happened (an agent may log it later)."""
    result = parse_outcome(outcome)
    now = _aware(now).astimezone(UTC)
    source = f"touchpoint:{touchpoint_id}"
    with store.session() as s:
        t = s.get(TouchpointRow, touchpoint_id, with_for_update=True)
        if t is None:
            raise FeedbackError(f"touchpoint_id: touchpoint {touchpoint_id} does not exist")
        if t.status == TouchpointStatus.CANCELLED:
            raise FeedbackError(
                f"touchpoint_id: touchpoint {touchpoint_id} was cancelled when the customer's "
                "cadence restarted; record the outcome on the current cycle's touchpoint"
            )
        if t.outcome is not None:
            if t.outcome != result.value:
                raise FeedbackError(
                    f"outcome: touchpoint {touchpoint_id} already has outcome {t.outcome!r}"
                )
            feedback_id = s.scalar(
                select(FeedbackRow.id).where(FeedbackRow.source == source).order_by(FeedbackRow.id)
            )
            return RecordedOutcome(t.id, t.customer_id, result, feedback_id or 0, True)
        t.status, t.outcome, t.notes = TouchpointStatus.DONE, result.value, notes
        t.done_at = t.done_at or now
        feedback = FeedbackRow(
            customer_id=t.customer_id,
            outcome=result.value,
            source=source,
            notes=notes,
            recorded_by=recorded_by,
            handled_at=None if result == Outcome.NEGATIVE else now,
            created_at=now,  # when it was said: the 48 hours count from here
        )
        s.add(feedback)
        s.flush()
        return RecordedOutcome(t.id, t.customer_id, result, feedback.id)


def unhandled_negative_feedback() -> list[int]:
    """Negative feedback nobody has acted on yet (from touchpoints or complaint tickets)."""
    query = (
        select(FeedbackRow.id)
        .where(FeedbackRow.outcome == Outcome.NEGATIVE.value, FeedbackRow.handled_at.is_(None))
        .order_by(FeedbackRow.id)
    )
    with store.session() as s:
        return list(s.scalars(query))


def _recovery_visit(s: Any, feedback_id: int) -> TouchpointRow | None:
    return s.scalar(
        select(TouchpointRow).where(
            TouchpointRow.step == RECOVERY_VISIT, TouchpointRow.notes == f"feedback:{feedback_id}"
        )
    )


def handle_negative(
    feedback_id: int, now: datetime, policy: Cadence | None = None, *, mail: MailSender
) -> NegativeFeedbackHandled:
    """Seed 002's three steps for one negative feedback row, then mark it handled (once)."""
    policy = policy or cadence()
    with store.session() as s:
        feedback = s.get(FeedbackRow, feedback_id)
        if feedback is None:
            raise FeedbackError(f"feedback_id: feedback {feedback_id} does not exist")
        if feedback.outcome != Outcome.NEGATIVE.value:
            raise FeedbackError(f"feedback {feedback_id} is {feedback.outcome}, not negative")
        customer = s.get(CustomerRow, feedback.customer_id)
        if customer is None:
            raise FeedbackError(
                f"feedback {feedback_id}: customer {feedback.customer_id!r} does not exist"
            )
        if feedback.handled_at is not None:
            visit = _recovery_visit(s, feedback_id)
            return NegativeFeedbackHandled(
                feedback_id=feedback_id,
                customer_id=customer.id,
                cycle=visit.cycle if visit else None,
                visit_touchpoint_id=visit.id if visit else None,
                visit_on=visit.due if visit else None,
                already_handled=True,
            )
    zone = customer.timezone
    within = policy.negative_feedback_visit_within_hours
    window = recovery_visit_window(
        feedback.created_at, within, zone, business_calendar(), policy.visit_minutes
    )
    visit_on, visit_by = window.visit_on, window.visit_by
    today = local_date(now, zone)
    agent = policy.agent(customer.sales_agent)

    # 1. Update the sales agent.
    values: dict[str, Any] = {
        "customer_id": customer.id,
        "customer_name": customer.name,
        "agent_name": agent.name,
        "source": feedback.source,
        "recorded_by": feedback.recorded_by,
        "notes": feedback.notes,
        "visit_on": visit_on.isoformat(),
        "visit_by": f"{visit_by:%A %Y-%m-%d %H:%M %Z}",
        "visit_at": f"{window.visit_at:%A %Y-%m-%d %H:%M %Z}",
        "outside_hours": window.outside_hours,
        "within_hours": f"{within:g}",
        "cycle": _next_cycle(customer.id),
    }
    send_templated(
        f"feedback:{feedback_id}:agent",
        str(agent.email),
        "retention_negative_feedback",
        values,
        customer.id,
        mail=mail,
    )
    # 2 and 3. Back to month 1 (pending steps cancelled) with a client visit within 48 hours.
    with store.session() as s:
        feedback = s.get(FeedbackRow, feedback_id, with_for_update=True)
        assert feedback is not None
        if feedback.handled_at is None:
            cycle = restart(s, customer.id, today, policy)
            visit = TouchpointRow(
                customer_id=customer.id,
                cycle=cycle,
                step=RECOVERY_VISIT,
                kind=TouchpointKind.VISIT,
                due=visit_on,
                status=TouchpointStatus.PENDING,
                notes=f"feedback:{feedback_id}",
            )
            s.add(visit)
            feedback.handled_at = now
            s.flush()
        else:
            found = _recovery_visit(s, feedback_id)
            assert found is not None
            visit, cycle = found, found.cycle
        visit_id = visit.id
    assign_human([visit_id], now, policy, mail=mail, visit_starts={visit_id: window.visit_at})
    return NegativeFeedbackHandled(
        feedback_id=feedback_id,
        customer_id=customer.id,
        cycle=cycle,
        visit_touchpoint_id=visit_id,
        visit_on=visit_on,
        visit_by=visit_by,
    )


def _next_cycle(customer_id: str) -> int:
    with store.session() as s:
        last = s.scalar(
            select(func.max(TouchpointRow.cycle)).where(TouchpointRow.customer_id == customer_id)
        )
    return (last or 0) + 1
