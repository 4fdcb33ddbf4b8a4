"""`csflows cadence plan`: the retention cadence's due dates for a start date, without a server."""

from __future__ import annotations

from datetime import date, datetime

import typer

from cli.output import emit_json, fail
from csflows.errors import PolicyError
from csflows.models.common import _check_timezone
from csflows.retention import cadence, plan
from csflows.retention.plan import local_date

app = typer.Typer(no_args_is_help=True, help="The three-month retention cadence (seed 002).")


def _start(value: str, tz: str) -> date:
    """A YYYY-MM-DD date, or an ISO instant with an offset read as a local date in `tz`."""
    try:
        if len(value) == 10:
            return date.fromisoformat(value)
        instant = datetime.fromisoformat(value)
    except ValueError:
        fail(f"--start: expected YYYY-MM-DD, got {value!r}")
    if instant.tzinfo is None:
        fail(f"--start: {value!r} has a time but no UTC offset; give YYYY-MM-DD or an offset")
    return local_date(instant, tz)


@app.command("plan")
def plan_(
    start: str = typer.Option(..., help="enrollment date, YYYY-MM-DD (the customer's calendar)"),
    tz: str = typer.Option("America/Chicago", help="the customer's IANA time zone"),
    as_json: bool = typer.Option(False, "--json", help="JSON for scripts"),
) -> None:
    """Print each planned touchpoint: step, kind and due date (moved to a business day)."""
    try:
        _check_timezone(tz)
    except ValueError as exc:
        fail(f"--tz: {exc}")
    try:
        planned = plan(_start(start, tz), cadence())
    except PolicyError as exc:
        fail(str(exc))
    if as_json:
        emit_json([p.as_json() for p in planned])
        return
    for p in planned:
        typer.echo(f"{p.due.isoformat()}  {p.due:%a}  month {p.month}  {p.kind.value:<5}  {p.step}")
