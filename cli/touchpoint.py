"""`csflows touchpoint record|list`: sales agents record call and visit outcomes (seed 002)."""

from __future__ import annotations

from datetime import UTC, datetime

import typer
from sqlalchemy import select

from blocks import SmtpServer, resolve
from cli.output import emit_json, instant
from csflows import store
from csflows.errors import DeliveryError, InputError
from csflows.models import Outcome
from csflows.retention.enrollment import OPEN
from csflows.retention.feedback import handle_negative, record_outcome
from csflows.store.tables import TouchpointRow
from csflows.tiers.service import customer_tiers

app = typer.Typer(no_args_is_help=True, help="Retention touchpoints: calls, visits, messages.")


@app.command("record")
def record(
    touchpoint_id: int = typer.Argument(..., help="the touchpoint id from the agent's email"),
    outcome: Outcome = typer.Option(..., help="positive, neutral or negative"),
    notes: str = typer.Option("", help="what the customer said"),
    recorded_by: str = typer.Option("", "--recorded-by", help="who talked to the customer"),
    at: str | None = typer.Option(
        None, "--at", help="when the call or visit happened, ISO instant (default: now)"
    ),
) -> None:
    """Record a call or visit outcome; negative feedback restarts the customer's cadence."""
    store.upgrade()
    now = datetime.now(UTC)
    happened = _happened(at, now)
    recorded = record_outcome(touchpoint_id, outcome, notes, recorded_by, happened)
    typer.echo(
        f"touchpoint {recorded.touchpoint_id} ({recorded.customer_id}): {recorded.outcome.value}"
        + (" (already recorded)" if recorded.already_recorded else "")
    )
    if recorded.outcome != Outcome.NEGATIVE:
        return
    try:
        handled = handle_negative(recorded.feedback_id, now, mail=resolve(SmtpServer))
    except DeliveryError as exc:  # what was kept differs from a plain send's: say it
        raise DeliveryError(
            f"outcome recorded; the mail server is down, so retention-dispatch will act on it: {exc}"
        ) from exc
    typer.echo(
        f"negative feedback: agent updated, visit on {handled.visit_on} "
        f"(touchpoint {handled.visit_touchpoint_id}), cadence restarted at cycle {handled.cycle}"
    )


def _happened(at: str | None, now: datetime) -> datetime:
    """--at as an aware instant, not in the future; now when it is not given."""
    if at is None:
        return now
    when = instant(at, "--at")
    if when > now:
        raise InputError(f"--at: {at} is in the future; record a call or visit after it happened")
    return when


@app.command("list")
def list_(
    customer: str | None = typer.Option(None, help="only this customer id"),
    as_json: bool = typer.Option(False, "--json", help="JSON for scripts"),
) -> None:
    """Open touchpoints (pending, assigned, escalated), soonest first."""
    store.upgrade()
    query = select(TouchpointRow).where(TouchpointRow.status.in_(OPEN))
    if customer:
        query = query.where(TouchpointRow.customer_id == customer)
    with store.session() as s:
        touchpoints = list(
            s.scalars(query.order_by(TouchpointRow.due, TouchpointRow.id).limit(1000))
        )
    tiers = customer_tiers(t.customer_id for t in touchpoints)  # seed 003: the agent sees it
    rows = [
        {
            "id": t.id,
            "customer_id": t.customer_id,
            "tier": tiers[t.customer_id].name if t.customer_id in tiers else "",
            "cycle": t.cycle,
            "step": t.step,
            "kind": t.kind,
            "due": t.due.isoformat(),
            "status": t.status,
            "assigned_to": t.assigned_to,
        }
        for t in touchpoints
    ]
    if as_json:
        emit_json(rows)
        return
    for r in rows:
        typer.echo(
            f"{r['id']:>7}  {r['due']}  {r['kind']:<5}  {r['status']:<9}  {r['customer_id']}  "
            f"{r['step']}" + (f"  ({r['tier']})" if r["tier"] else "")
        )
