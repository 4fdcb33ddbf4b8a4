"""Due touchpoints, worked in batches: messages sent once (SMS, email), calls and visits assigned
to the customer's sales agent, and overdue ones escalated to the agent's manager.

Each batch sends first (idempotent by key) and records touchpoint progress after, so a batch
killed halfway and run again sends nothing twice and loses nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import Table, and_, bindparam, or_, select, update

from csflows import store
from csflows.calendar import business_calendar
from csflows.clients.twilio import e164
from csflows.errors import (
    ApiError,
    HeaderInjectionError,
    PhoneNumberError,
    TemplateError,
    is_transient,
)
from csflows.models import (
    CustomerStatus,
    DeliveryStatus,
    Model,
    TouchpointKind,
    TouchpointStatus,
)
from csflows.outbox import Attachment, MailSender, OutgoingSms, SmsSender, send_sms
from csflows.people import people
from csflows.retention.invite import visit_invitation
from csflows.retention.notify import send_templated
from csflows.retention.plan import business_hours_between, is_open, local_date, opening
from csflows.retention.policy import HUMAN_KINDS, MESSAGE_KINDS, Cadence, SalesAgent
from csflows.store.tables import CustomerRow, TouchpointRow
from csflows.templates import render
from csflows.tiers.service import customer_tiers, tier_label


@dataclass
class BatchResult:
    """What one batch did: touchpoint ids by result, and the reason for each failure."""

    done: list[int] = field(default_factory=list)
    already_sent: list[int] = field(default_factory=list)
    failed: dict[int, str] = field(default_factory=dict)

    def delivered(self, touchpoint_id: int, status: DeliveryStatus) -> None:
        """A touchpoint's message went out now, or under its key before."""
        sent_before = status == DeliveryStatus.ALREADY_SENT
        (self.already_sent if sent_before else self.done).append(touchpoint_id)

    def counts(self) -> BatchCounts:
        return BatchCounts(
            done=len(self.done), already_sent=len(self.already_sent), failed=len(self.failed)
        )


class BatchCounts(Model):
    """How many touchpoints of one batch (or of a run's batches added up) were done now, done
    under their key before, or failed."""

    done: int = 0
    already_sent: int = 0
    failed: int = 0

    def __add__(self, other: BatchCounts) -> BatchCounts:
        return BatchCounts(
            done=self.done + other.done,
            already_sent=self.already_sent + other.already_sent,
            failed=self.failed + other.failed,
        )


def batches(ids: Sequence[int], size: int) -> list[list[int]]:
    return [list(ids[i : i + size]) for i in range(0, len(ids), size)]


def open_zones(now: datetime, policy: Cadence) -> dict[str, date]:
    """Time zones of customers in the cadence where business is open now -> their local date."""
    with store.session() as s:
        zones = list(
            s.scalars(
                select(CustomerRow.timezone)
                .distinct()
                .where(CustomerRow.status == CustomerStatus.IN_RETENTION)
            )
        )
    calendar = business_calendar()
    return {z: local_date(now, z) for z in zones if is_open(now, z, calendar)}


def _ids(
    kinds: Iterable[TouchpointKind], status: TouchpointStatus, zones: dict[str, date], before: bool
) -> list[int]:
    if not zones:
        return []
    by_zone = [
        and_(CustomerRow.timezone == z, TouchpointRow.due < d if before else TouchpointRow.due <= d)
        for z, d in zones.items()
    ]
    query = (
        select(TouchpointRow.id)
        .join(CustomerRow, CustomerRow.id == TouchpointRow.customer_id)
        .where(
            TouchpointRow.status == status,
            TouchpointRow.kind.in_([k.value for k in kinds]),
            or_(*by_zone),
        )
        .order_by(TouchpointRow.id)
    )
    with store.session() as s:
        return list(s.scalars(query))


def due_message_ids(now: datetime, policy: Cadence) -> list[int]:
    """Pending SMS and email touchpoints due today or earlier where the customer's day is open."""
    return _ids(MESSAGE_KINDS, TouchpointStatus.PENDING, open_zones(now, policy), before=False)


def due_human_ids(now: datetime, policy: Cadence) -> list[int]:
    """Pending calls and visits due today or earlier, to assign to sales agents."""
    return _ids(HUMAN_KINDS, TouchpointStatus.PENDING, open_zones(now, policy), before=False)


def overdue_candidate_ids(now: datetime, policy: Cadence) -> list[int]:
    """Assigned calls and visits due before today: the escalation threshold is checked per row."""
    return _ids(HUMAN_KINDS, TouchpointStatus.ASSIGNED, open_zones(now, policy), before=True)


def _load(ids: Sequence[int], status: TouchpointStatus) -> list[tuple[TouchpointRow, CustomerRow]]:
    query = (
        select(TouchpointRow, CustomerRow)
        .join(CustomerRow, CustomerRow.id == TouchpointRow.customer_id)
        .where(TouchpointRow.id.in_(list(ids)), TouchpointRow.status == status)
        .order_by(TouchpointRow.id)
    )
    with store.session() as s:
        return [(t, c) for t, c in s.execute(query).tuples()]


def _values(t: TouchpointRow, c: CustomerRow, agent: SalesAgent) -> dict[str, Any]:
    return {
        "touchpoint_id": t.id,
        "customer_id": c.id,
        "customer_name": c.name,
        "phone": c.phone,
        "address": c.address,
        "agent_name": agent.name,
        "agent_email": str(agent.email),
        "agent_phone": agent.phone or "",
        "cycle": t.cycle,
        "step": t.step,
        "kind": t.kind,
        "due": t.due.isoformat(),
    }


def _advance(rows: list[dict[str, Any]], from_status: TouchpointStatus) -> None:
    """Bulk-update touchpoints by id, only those still `from_status`: one a negative feedback
    cancelled meanwhile stays cancelled. Every row carries the same keys."""
    if not rows:
        return
    table = cast(Table, TouchpointRow.__table__)
    columns = [key for key in rows[0] if key != "id"]
    statement = (
        update(table)
        .where(table.c.id == bindparam("_id"), table.c.status == from_status)
        .values({column: bindparam(f"_{column}") for column in columns})
    )
    with store.session() as s:
        s.connection().execute(statement, [{f"_{k}": v for k, v in row.items()} for row in rows])


def _record_sent(result: BatchResult, now: datetime) -> None:
    """A batch's progress: sent ones done, refused ones failed."""
    sent = result.done + result.already_sent
    done, failed, pending = TouchpointStatus.DONE, TouchpointStatus.FAILED, TouchpointStatus.PENDING
    _advance([{"id": i, "status": done, "done_at": now} for i in sent], pending)
    _advance(
        [{"id": i, "status": failed, "notes": why[:2000]} for i, why in result.failed.items()],
        pending,
    )


def send_messages(
    ids: Sequence[int], now: datetime, policy: Cadence, *, mail: MailSender, sms: SmsSender
) -> BatchResult:
    """Send each pending SMS/email touchpoint of the batch once; record them done or failed.

    A transient fault (Twilio 5xx, mail server down) stops the batch after recording what went
    out, and is raised so the task retries; a permanent one (bad number) fails that touchpoint.
    """
    templates = {step.key: step.template for step in policy.steps}
    answers_to = str(people().cs_queue)
    result = BatchResult()
    try:
        for t, c in _load(ids, TouchpointStatus.PENDING):
            agent = policy.agent(c.sales_agent)
            values = _values(t, c, agent)
            key = f"touchpoint:{t.id}"
            try:
                template = templates.get(t.step)
                if not template:
                    raise TemplateError(f"step {t.step!r} has no template in cadence.yaml")
                if t.kind == TouchpointKind.SMS:
                    delivery = send_sms(
                        OutgoingSms(
                            key=key,
                            to=e164(c.phone),
                            body=render(template, **values).body.strip(),
                            template=template,
                            values=values,
                            customer_id=c.id,
                        ),
                        sms,
                    )
                else:
                    # a customer's answer goes to the inbox triage reads (seed 002, month 2)
                    delivery = send_templated(
                        key, c.email, template, values, c.id, mail=mail, reply_to=[answers_to]
                    )
            except ApiError as exc:
                if is_transient(exc):
                    raise
                result.failed[t.id] = str(exc)
                continue
            except (PhoneNumberError, HeaderInjectionError, TemplateError) as exc:
                result.failed[t.id] = str(exc)
                continue
            result.delivered(t.id, delivery.status)
    finally:
        _record_sent(result, now)
    return result


def _visit_invite(
    t: TouchpointRow,
    c: CustomerRow,
    agent: SalesAgent,
    now: datetime,
    policy: Cadence,
    start: datetime | None = None,
) -> Attachment:
    """The .ics invitation: at `start` when given (a recovery visit's booked time), else at
    opening time on the due day."""
    ics = visit_invitation(
        uid=f"touchpoint-{t.id}@csflows",
        start=start or opening(t.due, c.timezone, business_calendar()),
        minutes=policy.visit_minutes,
        summary=f"Client visit: {c.name} ({c.id})",
        location=c.address,
        description=f"Retention cadence cycle {t.cycle}, step {t.step}. Touchpoint {t.id}.",
        attendee=str(agent.email),
        now=now,
    )
    return Attachment("visit.ics", ics, "text/calendar")


def assign_human(
    ids: Sequence[int],
    now: datetime,
    policy: Cadence,
    *,
    mail: MailSender,
    outcome_form: Callable[[int], str] | None = None,
    visit_starts: Mapping[int, datetime] | None = None,
) -> BatchResult:
    """Assign pending calls and visits to the customer's sales agent: an email each, with an
    .ics invitation for a visit (at its `visit_starts` time, by touchpoint id, else at opening
    time) and a link to the outcome form filled in for the touchpoint (`outcome_form`), and the
    customer's service tier; then the touchpoints are marked assigned to that agent."""
    result = BatchResult()
    agents: dict[int, str] = {}
    pending = _load(ids, TouchpointStatus.PENDING)
    tiers = customer_tiers(c.id for _, c in pending)
    try:
        for t, c in pending:
            agent = policy.agent(c.sales_agent)
            values = _values(t, c, agent) | {
                "outcome_link": outcome_form(t.id) if outcome_form else "",
                "tier": tier_label(tiers.get(c.id)),  # seed 003: the agent sees the tier
            }
            visit = t.kind == TouchpointKind.VISIT
            start = (visit_starts or {}).get(t.id)
            invite = [_visit_invite(t, c, agent, now, policy, start)] if visit else []
            delivery = send_templated(
                f"touchpoint:{t.id}:assigned",
                str(agent.email),
                "retention_agent_task",
                values,
                c.id,
                attachments=invite,
                mail=mail,
            )
            agents[t.id] = str(agent.email)
            result.delivered(t.id, delivery.status)
    finally:
        _advance(
            [
                {"id": i, "status": TouchpointStatus.ASSIGNED, "assigned_to": agents[i]}
                for i in result.done + result.already_sent
            ],
            TouchpointStatus.PENDING,
        )
    return result


def escalate_overdue(
    ids: Sequence[int], now: datetime, policy: Cadence, *, mail: MailSender
) -> BatchResult:
    """Email the agent's manager about each assigned call or visit open longer than the policy's
    business hours after it fell due; those are marked escalated."""
    result = BatchResult()
    threshold = policy.escalate_after_business_hours
    calendar = business_calendar()
    try:
        for t, c in _load(ids, TouchpointStatus.ASSIGNED):
            since_due = business_hours_between(
                opening(t.due, c.timezone, calendar), now, c.timezone, calendar
            )
            if since_due < threshold:
                continue
            agent = policy.agent(c.sales_agent)
            values = _values(t, c, agent) | {"overdue_hours": round(since_due, 1)}
            delivery = send_templated(
                f"touchpoint:{t.id}:escalated",
                str(agent.manager_email),
                "retention_escalation",
                values,
                c.id,
                mail=mail,
            )
            result.delivered(t.id, delivery.status)
    finally:
        _advance(
            [
                {"id": i, "status": TouchpointStatus.ESCALATED}
                for i in result.done + result.already_sent
            ],
            TouchpointStatus.ASSIGNED,
        )
    return result
