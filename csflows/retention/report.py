"""The monthly retention report. Seed 002's targets are minimums the team must reach: 30 new
accounts (customers won through vetting: approved and a first PO) and 50 meetings held (calls and
visits with a recorded outcome) a month; the report leads with both and the shortfall, then each
sales agent's share. Apart from the targets, it forecasts the calls and visits planned for each
agent in the months ahead against the agent's capacity (a configured figure, not the seed's):
those already scheduled plus the agent's share of the team's new accounts."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import case, func, select

from csflows import store
from csflows.calendar import business_calendar
from csflows.models import DeliveryStatus, Model, Outcome, TouchpointKind, TouchpointStatus
from csflows.outbox import MailSender
from csflows.people import people
from csflows.retention.enrollment import OPEN
from csflows.retention.plan import plan
from csflows.retention.policy import HUMAN_KINDS, Cadence
from csflows.store.tables import CustomerRow, FeedbackRow, InquiryRow, TouchpointRow


@dataclass(frozen=True)
class AgentMonth:
    """One sales agent's share of the month."""

    agent: str
    new_accounts: int  # customers won through vetting, this agent assigned
    meetings_held: int  # calls and visits with a recorded outcome
    touchpoints_done: int
    touchpoints_overdue: int
    negative_feedback: int

    def as_row(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class TeamMonth:
    """The month against seed 002's minimums: what was reached, what was required, how short."""

    new_accounts: int
    new_accounts_required: int
    meetings_held: int
    meetings_required: int
    won_by_rep: tuple[tuple[str, int], ...] = ()  # the CS rep who ran each won inquiry

    @property
    def new_accounts_short(self) -> int:
        return max(0, self.new_accounts_required - self.new_accounts)

    @property
    def meetings_short(self) -> int:
        return max(0, self.meetings_required - self.meetings_held)

    def headline(self) -> str:
        """Two lines for the top of the report."""
        lines = [
            _against("Meetings held", self.meetings_held, self.meetings_required),
            _against("New accounts won", self.new_accounts, self.new_accounts_required),
        ]
        if self.won_by_rep:
            reps = ", ".join(f"{name} {count}" for name, count in self.won_by_rep)
            lines.append(f"New accounts by the rep who ran the inquiry: {reps}.")
        return "\n".join(lines)


def _against(what: str, reached: int, required: int) -> str:
    verdict = f"{required - reached} short" if reached < required else "target met"
    return f"{what}: {reached} of the {required} required ({verdict})."


@dataclass(frozen=True)
class CapacityMonth:
    """Calls and visits one agent has planned in a month: already scheduled, plus projected from
    the agent's share of the team's new accounts at the target rate, against the agent's
    capacity (a forecast)."""

    agent: str
    month: str  # YYYY-MM
    scheduled: int  # calls and visits already planned
    projected: int  # from the agent's share of the new accounts at the target rate
    capacity: int

    @property
    def planned(self) -> int:
        return self.scheduled + self.projected

    @property
    def overrun(self) -> bool:
        return self.planned > self.capacity

    def as_row(self) -> dict[str, Any]:
        return asdict(self) | {"planned": self.planned, "overrun": self.overrun}


def month_start(day: date) -> date:
    return day.replace(day=1)


def next_month(first: date) -> date:
    return (first.replace(day=28) + timedelta(days=4)).replace(day=1)


def months_from(first: date, count: int) -> list[date]:
    months = [month_start(first)]
    while len(months) < count:
        months.append(next_month(months[-1]))
    return months


def label(first: date) -> str:
    return f"{first:%Y-%m}"


def previous_month(today: date) -> date:
    return month_start(month_start(today) - timedelta(days=1))


def _bounds(first: date) -> tuple[datetime, datetime]:
    return (
        datetime.combine(first, datetime.min.time(), tzinfo=UTC),
        datetime.combine(next_month(first), datetime.min.time(), tzinfo=UTC),
    )


def _agent_name(raw: str | None, policy: Cadence) -> str:
    return policy.agent(raw).name


def _grouped(query: Any, policy: Cadence) -> Counter[str]:
    counts: Counter[str] = Counter()
    with store.session() as s:
        for agent, count in s.execute(query).tuples():
            counts[_agent_name(agent, policy)] += count
    return counts


def agent_months(first: date, policy: Cadence) -> list[AgentMonth]:
    """Per sales agent for the month starting `first`: one grouped query per measure."""
    begin, end = _bounds(first)
    agent = CustomerRow.sales_agent
    human = [k.value for k in HUMAN_KINDS]
    touch = select(agent, func.count()).join(
        TouchpointRow, TouchpointRow.customer_id == CustomerRow.id
    )
    done = TouchpointRow.status == TouchpointStatus.DONE
    in_month = (TouchpointRow.done_at >= begin, TouchpointRow.done_at < end)
    new = _grouped(
        select(agent, func.count())
        .where(
            CustomerRow.inquiry_id.is_not(None),  # won through vetting, not a CRM import
            CustomerRow.created_at >= begin,
            CustomerRow.created_at < end,
        )
        .group_by(agent),
        policy,
    )
    meetings = _grouped(
        touch.where(
            TouchpointRow.kind.in_(human), TouchpointRow.outcome.is_not(None), done, *in_month
        ).group_by(agent),
        policy,
    )
    touchpoints_done = _grouped(touch.where(done, *in_month).group_by(agent), policy)
    overdue = _grouped(
        touch.where(
            TouchpointRow.kind.in_(human),
            TouchpointRow.status.in_(OPEN),
            TouchpointRow.due < next_month(first),
        ).group_by(agent),
        policy,
    )
    negative = _grouped(
        select(agent, func.count())
        .join(FeedbackRow, FeedbackRow.customer_id == CustomerRow.id)
        .where(
            FeedbackRow.outcome == Outcome.NEGATIVE.value,
            FeedbackRow.created_at >= begin,
            FeedbackRow.created_at < end,
        )
        .group_by(agent),
        policy,
    )
    names = [a.name for a in policy.sales_agents]
    for counter in (new, meetings, touchpoints_done, overdue, negative):
        names += [n for n in counter if n not in names]
    return [
        AgentMonth(
            agent=name,
            new_accounts=new[name],
            meetings_held=meetings[name],
            touchpoints_done=touchpoints_done[name],
            touchpoints_overdue=overdue[name],
            negative_feedback=negative[name],
        )
        for name in names
    ]


def team_month(first: date, agents: Sequence[AgentMonth], policy: Cadence) -> TeamMonth:
    """The team's month against the seed's minimums, and who won the new accounts."""
    return TeamMonth(
        new_accounts=sum(a.new_accounts for a in agents),
        new_accounts_required=policy.targets.new_accounts_per_month,
        meetings_held=sum(a.meetings_held for a in agents),
        meetings_required=policy.targets.meetings_per_month,
        won_by_rep=won_by_rep(first),
    )


def won_by_rep(first: date) -> tuple[tuple[str, int], ...]:
    """Customers won through vetting in the month, by the rep who ran the inquiry."""
    begin, end = _bounds(first)
    query = (
        select(InquiryRow.rep, func.count())
        .join(CustomerRow, CustomerRow.inquiry_id == InquiryRow.id)
        .where(CustomerRow.created_at >= begin, CustomerRow.created_at < end)
        .group_by(InquiryRow.rep)
    )
    team = people()
    counts: Counter[str] = Counter()
    with store.session() as s:
        for rep, count in s.execute(query).tuples():
            person = team.find(rep or "")
            counts[person.name if person else rep or "(no rep recorded)"] += count
    return tuple(sorted(counts.items()))


def scheduled_visits(first: date, months: int, policy: Cadence) -> Counter[tuple[str, str]]:
    """Open calls and visits already in the store, by (agent, YYYY-MM), for `months` months
    from `first`."""
    window = months_from(first, months)
    end = next_month(window[-1])
    query = (
        select(CustomerRow.sales_agent, TouchpointRow.due, func.count())
        .join(TouchpointRow, TouchpointRow.customer_id == CustomerRow.id)
        .where(
            TouchpointRow.kind.in_([k.value for k in HUMAN_KINDS]),
            TouchpointRow.status.in_(OPEN),
            TouchpointRow.due >= window[0],
            TouchpointRow.due < end,
        )
        .group_by(CustomerRow.sales_agent, TouchpointRow.due)
    )
    counts: Counter[tuple[str, str]] = Counter()
    with store.session() as s:
        for agent, due, count in s.execute(query).tuples():
            counts[(_agent_name(agent, policy), label(due))] += count
    return counts


def projected_visits(first: date, months: int, per_month: int, policy: Cadence) -> Counter[str]:
    """Calls and visits by YYYY-MM from `per_month` new accounts a month, each enrolled on a
    business day spread evenly over its month, planned with the cadence on the business calendar."""
    counts: Counter[str] = Counter()
    calendar = business_calendar()
    window = months_from(first, months)
    for month in window:
        days = [
            month + timedelta(days=i)
            for i in range((next_month(month) - month).days)
            if calendar.is_business_day(month + timedelta(days=i))
        ]
        for n in range(per_month):
            start = days[n * len(days) // per_month]
            for step in plan(start, policy, calendar):
                if step.kind in HUMAN_KINDS:
                    counts[label(step.due)] += 1
    return Counter({m: counts[m] for m in map(label, window)})


def capacity_plan(
    agents: Sequence[str],
    first: date,
    months: int,
    scheduled: Counter[tuple[str, str]],
    policy: Cadence,
) -> list[CapacityMonth]:
    """Planned visits per agent and month against the meeting capacity (pure). The projected
    new accounts are the team's: each configured sales agent among `agents` gets a share."""
    projected = projected_visits(first, months, policy.targets.new_accounts_per_month, policy)
    sharing = forecast_agents(agents, policy)
    return [
        CapacityMonth(
            agent=agent,
            month=label(month),
            scheduled=scheduled[(agent, label(month))],
            projected=share(projected[label(month)], sharing, agent, index),
            capacity=policy.targets.meetings_capacity_per_agent,
        )
        for agent in agents
        for index, month in enumerate(months_from(first, months))
    ]


def forecast_agents(agents: Sequence[str], policy: Cadence) -> list[str]:
    """Who takes new accounts: the configured sales agents among `agents` (a former agent still
    in the month's figures gets none), or all of them when none is configured."""
    configured = {a.name for a in policy.sales_agents}
    return [a for a in agents if a in configured] or list(agents)


def share(total: int, sharing: Sequence[str], agent: str, month_index: int) -> int:
    """`agent`'s whole share of `total` split evenly over `sharing`; the remainder goes one each
    to agents in turn, starting with a different one each month, so the shares add up."""
    if agent not in sharing:
        return 0
    count = len(sharing)
    turn = (sharing.index(agent) - month_index) % count
    return total // count + (1 if turn < total % count else 0)


def first_overruns(rows: Iterable[CapacityMonth]) -> dict[str, CapacityMonth]:
    """Each agent's first month whose planned calls and visits exceed their capacity."""
    found: dict[str, CapacityMonth] = {}
    for row in rows:
        if row.overrun and row.agent not in found:
            found[row.agent] = row
    return found


def capacity_summary(rows: Sequence[CapacityMonth], policy: Cadence) -> str:
    overruns = first_overruns(rows)
    if not overruns:
        return "No agent's planned meetings exceed capacity in the months shown."
    lines = [
        f"{row.agent}: {row.month} will overrun ({row.planned} calls and visits planned, "
        f"capacity {row.capacity})."
        for row in overruns.values()
    ]
    target = policy.targets
    per_account = sum(1 for step in policy.steps if step.kind in HUMAN_KINDS)
    team = per_account * target.new_accounts_per_month
    agents = len(forecast_agents(list(dict.fromkeys(row.agent for row in rows)), policy)) or 1
    lines.append(
        f"At {target.new_accounts_per_month} new accounts a month the cadence's {per_account} "
        f"calls and visits each need about {team} meetings a month in steady state, about "
        f"{round(team / agents)} for each of {agents} agents, against "
        f"{target.meetings_capacity_per_agent} per agent."
    )
    return "\n".join(lines)


def text_table(rows: Sequence[dict[str, Any]]) -> str:
    """A fixed-width plain-text table for the email."""
    if not rows:
        return "(no rows)"
    columns = list(rows[0])
    widths = {c: max(len(c), *(len(str(r[c])) for r in rows)) for c in columns}
    lines = ["  ".join(c.ljust(widths[c]) for c in columns)]
    lines.append("  ".join("-" * widths[c] for c in columns))
    lines += ["  ".join(str(r[c]).ljust(widths[c]) for c in columns) for r in rows]
    return "\n".join(lines)


@dataclass(frozen=True)
class MonthlyReport:
    month: str
    team: TeamMonth
    agents: list[AgentMonth]
    capacity: list[CapacityMonth]
    summary: str


def monthly_report(first: date, policy: Cadence, horizon: int = 6) -> MonthlyReport:
    """The month starting `first` per agent, and capacity for `horizon` months after it."""
    agents = agent_months(first, policy)
    ahead = next_month(first)
    capacity = capacity_plan(
        [a.agent for a in agents], ahead, horizon, scheduled_visits(ahead, horizon, policy), policy
    )
    return MonthlyReport(
        label(first),
        team_month(first, agents, policy),
        agents,
        capacity,
        capacity_summary(capacity, policy),
    )


def email_report(
    report: MonthlyReport, policy: Cadence, *, mail: MailSender
) -> list[DeliveryStatus]:
    """Mail the report to each recipient once per month (idempotency key per month and address)."""
    from csflows.retention.notify import send_templated

    values: dict[str, Any] = {
        "month": report.month,
        "headline": report.team.headline(),
        "capacity_per_agent": policy.targets.meetings_capacity_per_agent,
        "table": text_table([a.as_row() for a in report.agents]),
        "capacity_table": text_table([c.as_row() for c in report.capacity]),
        "capacity_summary": report.summary,
    }
    return [
        send_templated(
            f"retention-report:{report.month}:{recipient}",
            str(recipient),
            "retention_monthly_report",
            values,
            mail=mail,
        ).status
        for recipient in policy.report_addresses
    ]


class AgentWork(Model):
    """One sales agent's open calls and visits, and how many of them are past due."""

    agent: str
    calls: int = 0
    visits: int = 0
    past_due: int = 0


def open_work_by_agent(today: date, policy: Cadence) -> list[AgentWork]:
    """Each agent's open calls and visits (assigned or escalated), and how many are past due:
    the due list operators see after every dispatch (one grouped query)."""
    overdue = func.sum(case((TouchpointRow.due < today, 1), else_=0))
    query = (
        select(CustomerRow.sales_agent, TouchpointRow.kind, func.count(), overdue)
        .join(TouchpointRow, TouchpointRow.customer_id == CustomerRow.id)
        .where(TouchpointRow.status.in_((TouchpointStatus.ASSIGNED, TouchpointStatus.ESCALATED)))
        .group_by(CustomerRow.sales_agent, TouchpointRow.kind)
    )
    table: dict[str, AgentWork] = {}
    with store.session() as s:
        for agent, kind, count, late in s.execute(query).tuples():
            name = _agent_name(agent, policy)
            work = table.setdefault(name, AgentWork(agent=name))
            if kind == TouchpointKind.CALL:
                work.calls += count
            else:
                work.visits += count
            work.past_due += int(late or 0)
    return sorted(table.values(), key=lambda w: w.agent)


class WeekTouchpoint(Model):
    """An open call or visit of the week's queue: when, for whom, with whom; `status` is the
    touchpoint's, or "past due"."""

    due: date
    agent: str
    kind: TouchpointKind
    customer: str
    touchpoint: int
    status: str


def touchpoints_this_week(today: date, policy: Cadence) -> list[WeekTouchpoint]:
    """Open calls and visits due in the seven days from `today` (and any past due), soonest
    first, with the agent each is for: the week's queue operators and agents look at."""
    query = (
        select(TouchpointRow, CustomerRow)
        .join(CustomerRow, CustomerRow.id == TouchpointRow.customer_id)
        .where(
            TouchpointRow.kind.in_([k.value for k in HUMAN_KINDS]),
            TouchpointRow.status.in_(OPEN),
            TouchpointRow.due < today + timedelta(days=7),
        )
        .order_by(TouchpointRow.due, TouchpointRow.id)
        .limit(1000)
    )
    with store.session() as s:
        return [
            WeekTouchpoint(
                due=t.due,
                agent=_agent_name(c.sales_agent, policy),
                kind=TouchpointKind(t.kind),
                customer=f"{c.name} ({c.id})",
                touchpoint=t.id,
                status="past due" if t.due < today else t.status,
            )
            for t, c in s.execute(query).tuples()
        ]
