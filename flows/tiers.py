"""Seed 003's tiered service, monthly: every customer's tier from their trailing purchases.

1. Evaluate every customer in batches: net purchases over the trailing months, tier, grace period
   for downgrades; history and customers.tier are written.
2. Remind a customer who has just come close to a tier's rewards how much is left (once, in
   whole dollars; never a one-time buyer; nobody while tiers.yaml names no reward).
3. Tell each changed customer's sales agent.
4. Show supervisors the changes and seed 000's Level-4 suggestions (nothing changes a level).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from prefect import flow, get_run_logger, unmapped
from prefect.artifacts import create_table_artifact
from prefect.runtime import flow_run
from prefect.task_runners import ThreadPoolTaskRunner
from pydantic import BaseModel

from csflows.markdown import inert_table
from csflows.outbox import OutgoingEmail
from csflows.tiers import tier_policy
from csflows.tiers.evaluation import TierResult
from csflows.tiers.notices import MailCounts, change_notice, reminder
from csflows.tiers.rules import closing_month_end
from tasks.tiers import customer_batches, evaluate_tiers, send_tier_mail

ARTIFACT_ROWS = 1000  # a table artifact lists at most this many rows; the summary counts them all


class TierRun(BaseModel):
    """One evaluation: customers evaluated, how many per tier, tier changes, and the reminder
    and agent-notice mail counts (sent, already_sent, refused, undelivered)."""

    as_of: str
    customers: int
    tiers: dict[str, int]
    changes: int
    reminders: MailCounts
    agent_notices: MailCounts
    level4_suggestions: int


def _run_name() -> str:
    as_of = flow_run.parameters.get("as_of")
    return f"tiers-{as_of or 'last-month'}"


# a few batches at once: each writes in one transaction, and SQLite takes one writer at a time
@flow(
    name="recompute-tiers", flow_run_name=_run_name, task_runner=ThreadPoolTaskRunner(max_workers=4)
)
def recompute_tiers(as_of: date | None = None, batch_size: int = 5000) -> TierRun:
    """Evaluate every customer's tier as of `as_of` (default: the end of last month)."""
    logger = get_run_logger()
    as_of = as_of or closing_month_end(date.today())
    policy = tier_policy()

    batches = customer_batches(batch_size)
    outcomes = evaluate_tiers.map(batches, as_of=unmapped(as_of)).result()
    changes = [r for o in outcomes for r in o.changes]
    reminders = [r for o in outcomes for r in o.reminders]
    level4 = [r for o in outcomes for r in o.level4]

    reminded = send_tier_mail("reminder", [reminder(r, as_of, policy) for r in reminders])
    notices = {r.customer_id: change_notice(r, as_of, policy) for r in changes}
    notified = send_tier_mail("tier-change", [n for n in notices.values() if n is not None])
    _publish_changes(changes, notices, as_of)
    _publish_level4(level4, as_of, policy.level4_below)

    tiers: dict[str, int] = {}
    for outcome in outcomes:
        for key, count in outcome.tiers.items():
            tiers[key] = tiers.get(key, 0) + count
    summary = TierRun(
        as_of=as_of.isoformat(),
        customers=sum(o.evaluated for o in outcomes),
        tiers=tiers,
        changes=len(changes),
        reminders=reminded,
        agent_notices=notified,
        level4_suggestions=len(level4),
    )
    logger.info("tiers as of %s: %s", as_of, summary.model_dump())
    return summary


def _publish_changes(
    changes: list[TierResult], notices: dict[str, OutgoingEmail | None], as_of: date
) -> None:
    rows = [
        {
            "customer": r.customer_id,
            "name": r.name,
            "division": r.division,
            "trailing_12m": f"{r.trailing_12m:,.2f}",
            "from": r.previous_tier,
            "to": r.tier,
            "sales_agent": r.sales_agent,
            "agent_notified": (n.to if (n := notices.get(r.customer_id)) else "no address"),
        }
        for r in changes[:ARTIFACT_ROWS]
    ]
    create_table_artifact(
        key="tier-changes",
        table=inert_table(rows),
        description=f"Tier changes as of {as_of}: {len(changes)} (first {ARTIFACT_ROWS} listed).",
    )


def _publish_level4(level4: list[TierResult], as_of: date, lines: dict[str, Any]) -> None:
    rows = [
        {
            "customer": r.customer_id,
            "name": r.name,
            "division": r.division,
            "level": r.level,
            "trailing_12m": f"{r.trailing_12m:,.2f}",
            "level4_below": f"{lines[r.division]:,.2f}",
        }
        for r in level4[:ARTIFACT_ROWS]
    ]
    create_table_artifact(
        key="level4-suggestions",
        table=inert_table(rows),
        description=(
            f"Seed 000 customer rationalization as of {as_of}: {len(level4)} customer(s) whose "
            "purchases put them at Level 4. Suggestions only: a supervisor confirms each in the CRM."
        ),
    )
