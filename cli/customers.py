"""`csflows customers import|list`: the customer list from the CRM."""

from __future__ import annotations

from pathlib import Path

import typer

from cli.output import emit_json
from csflows import customers, store

app = typer.Typer(no_args_is_help=True, help="Customer records.")


@app.command("import")
def import_(
    file: Path = typer.Argument(..., help="CSV: " + ",".join(customers.CSV_HEADER)),
) -> None:
    """Import customers from a CRM export; any bad row and nothing is imported."""
    store.upgrade()
    count = customers.import_csv(file)
    typer.echo(f"imported {count} customer(s) from {file}")


@app.command("list")
def list_(
    as_json: bool = typer.Option(False, "--json", help="JSON for scripts"),
    division: str | None = typer.Option(None, help="only this division"),
) -> None:
    """List customers."""
    store.upgrade()
    rows = customers.list_customers(division)
    if as_json:
        emit_json(rows)
        return
    for row in rows:
        typer.echo(
            f"{row['id']:<12} L{row['level']} {row['division']:<18} {row['name']} <{row['email']}> [{row['status']}]"
        )
    typer.echo(f"{len(rows)} customer(s)")
