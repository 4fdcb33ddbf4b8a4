"""`csflows orders import`: order history from the CRM, which feeds tiers (seed 003)."""

from __future__ import annotations

from pathlib import Path

import typer

from csflows import orders, store

app = typer.Typer(no_args_is_help=True, help="Orders (and refunds, as negative amounts).")


@app.command("import")
def import_(
    file: Path = typer.Argument(..., help="CSV: " + ",".join(orders.CSV_HEADER)),
) -> None:
    """Import orders; a row with the same customer and PO number updates it. Any bad row and
    nothing is imported."""
    store.upgrade()
    count = orders.import_csv(file)
    typer.echo(f"imported {count} order(s) from {file}")
