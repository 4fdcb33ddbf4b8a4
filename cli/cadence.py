"""`csflows cadence plan|feedback`: the retention cadence's due dates for a start date, and what
negative feedback sets off, without a server."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import typer

from cli.output import emit_json, instant
from csflows.calendar import business_calendar
from csflows.errors import InputError
from csflows.models.common import _check_timezone
from csflows.retention import cadence, plan
from csflows.retention.feedback import recovery_visit_window
from csflows.retention.plan import local_date

app = typer.Typer(no_args_is_help=True, help="The three-month retention cadence (seed 002).")


def _start(value: str, tz: str) -> date:
    """A YYYY-MM-DD date, or an ISO instant with an offset read as a local date in `tz`."""
    try:
        if len(value) == 10:
            return date.fromisoformat(value)
        instant = datetime.fromisoformat(value)
    except ValueError as exc:
        raise InputError(f"--start: expected YYYY-MM-DD, got {value!r}") from exc
    if instant.tzinfo is None:
        raise InputError(
            f"--start: {value!r} has a time but no UTC offset; give YYYY-MM-DD or an offset"
        )
    return local_date(instant, tz)


def _zone(tz: str) -> str:
    try:
        _check_timezone(tz)
    except ValueError as exc:
        raise InputError(f"--tz: {exc}") from exc
    return tz


@app.command("feedback")
def feedback(
    at: str = typer.Option(..., "--at", help="when the negative feedback was given, ISO instant"),
    tz: str = typer.Option("America/Chicago", help="the customer's IANA time zone"),
    as_json: bool = typer.Option(False, "--json", help="JSON for scripts"),
) -> None:
    """What negative feedback at --at sets off (seed 002): the visit deadline, 48 clock hours
    later in the customer's time zone, the day the visit is planned, and the restarted cadence."""
    zone = _zone(tz)
    given = instant(at, "--at")
    policy = cadence()
    window = recovery_visit_window(
        given,
        policy.negative_feedback_visit_within_hours,
        zone,
        business_calendar(),
        policy.visit_minutes,
    )
    restarted = plan(local_date(given, zone), policy)
    result = {
        "feedback_at": given.astimezone(ZoneInfo(zone)).isoformat(),
        "visit_due": window.visit_by.isoformat(),
        "visit_on": window.visit_on.isoformat(),
        "visit_at": window.visit_at.isoformat(),
        "outside_hours": window.outside_hours,
        "within_hours": policy.negative_feedback_visit_within_hours,
        "restart_plan": [p.as_json() for p in restarted],
    }
    if as_json:
        emit_json(result)
        return
    typer.echo("1. Update the sales agent now.")
    typer.echo(
        f"2. Client visit booked {window.visit_at:%a %Y-%m-%d %H:%M}; it must happen by "
        f"{window.visit_by:%a %Y-%m-%d %H:%M %Z} ({result['within_hours']:g} hours)."
        + (" Opening hours leave no time for it: outside them." if window.outside_hours else "")
    )
    typer.echo("3. Back to month 1:")
    for p in restarted:
        typer.echo(
            f"   {p.due.isoformat()}  {p.due:%a}  month {p.month}  {p.kind.value:<5}  {p.step}"
        )


@app.command("plan")
def plan_(
    start: str = typer.Option(..., help="enrollment date, YYYY-MM-DD (the customer's calendar)"),
    tz: str = typer.Option("America/Chicago", help="the customer's IANA time zone"),
    as_json: bool = typer.Option(False, "--json", help="JSON for scripts"),
) -> None:
    """Print each planned touchpoint: step, kind and due date (moved to a business day)."""
    _zone(tz)
    planned = plan(_start(start, tz), cadence())
    if as_json:
        emit_json([p.as_json() for p in planned])
        return
    for p in planned:
        typer.echo(f"{p.due.isoformat()}  {p.due:%a}  month {p.month}  {p.kind.value:<5}  {p.step}")
