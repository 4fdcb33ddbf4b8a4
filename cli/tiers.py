"""`csflows tiers compute|level4`: tiered service (seed 003) and Level-4 suggestions (seed 000)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import typer

from cli.output import emit_json
from csflows import store
from csflows.errors import InputError
from csflows.tiers import tier_policy
from csflows.tiers.from_file import standings_from_csv
from csflows.tiers.level4 import level4_suggestions
from csflows.tiers.rules import closing_month_end

app = typer.Typer(no_args_is_help=True, help="Service tiers by trailing purchases.")


def _day(value: str | None) -> date:
    if value is None:
        return closing_month_end(date.today())
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError as exc:
        raise InputError(f"--as-of: expected a date as YYYY-MM-DD (got {value!r})") from exc


@app.command("compute")
def compute(
    orders_file: Path = typer.Option(
        ..., "--orders", help="CSV: customer_id,order_date,amount,po_number"
    ),
    as_of: str = typer.Option(None, "--as-of", help="YYYY-MM-DD (default: last month's end)"),
    as_json: bool = typer.Option(False, "--json", help="JSON for scripts"),
) -> None:
    """Each customer's trailing purchases, tier, next tier and reminder, straight from a file
    (no server, no store; grace periods need history, so they are not applied)."""
    day = _day(as_of)
    standings = standings_from_csv(orders_file, day, tier_policy())
    if as_json:
        emit_json([s.as_json() for s in standings])
        return
    for s in standings:
        row = s.as_json()
        more = f" {row['amount_to_next']:,.2f} to {s.next_tier}" if s.next_tier else ""
        typer.echo(
            f"{s.customer_id:<14} {row['trailing_12m']:>16,.2f} {s.tier}{more}"
            + (" [remind]" if s.remind else "")
        )
    typer.echo(f"{len(standings)} customer(s) as of {day}")


@app.command("level4")
def level4(
    as_of: str = typer.Option(None, "--as-of", help="YYYY-MM-DD (default: last month's end)"),
    as_json: bool = typer.Option(False, "--json", help="JSON for scripts"),
) -> None:
    """Customers whose purchases put them at Level 4 in their division: suggestions for a
    supervisor to confirm; no level is changed."""
    store.upgrade()
    day = _day(as_of)
    found = level4_suggestions(day, tier_policy())
    if as_json:
        emit_json([f.as_json() for f in found])
        return
    for f in found:
        typer.echo(
            f"{f.customer_id:<14} L{f.level} {f.division:<18} {f.trailing_12m:>12,.2f} "
            f"< {f.level4_below:,.2f}  {f.name}"
        )
    typer.echo(f"{len(found)} suggestion(s) as of {day}; confirm each in the CRM")
