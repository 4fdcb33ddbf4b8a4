"""`csflows db upgrade`: migrate the store to the newest schema (safe to repeat)."""

from __future__ import annotations

import typer

from csflows import store

app = typer.Typer(no_args_is_help=True, help="The csflows store.")


@app.command("upgrade")
def upgrade() -> None:
    """Create or migrate the store; running it again changes nothing."""
    store.upgrade()
    typer.echo(f"store is up to date: {store.database_url().split('@')[-1]}")
