"""`csflows classifier show|rollback`: which triage model types tickets, and going back one."""

from __future__ import annotations

import typer

from cli.output import emit_json, fail
from csflows.errors import CsflowsError
from csflows.triage import model_store

app = typer.Typer(no_args_is_help=True, help="The triage model (retrained by retrain-classifier).")


@app.command("show")
def show(as_json: bool = typer.Option(False, "--json", help="JSON for scripts")) -> None:
    """The current model, the ones before it, and their evaluations."""
    index = model_store.read_index()
    if as_json:
        emit_json(index)
        return
    current = index.get("current")
    shipped = "(none: the model shipped with the repository types tickets)"
    typer.echo(f"current: {current or shipped}")
    for version in reversed(index.get("history", [])):
        figures = index["models"][version]["evaluation"]
        shown = ", ".join(f"{k} {figures[k]}" for k in model_store.COMPARED)
        typer.echo(f"  {version}: {shown}")


@app.command("rollback")
def rollback() -> None:
    """Go back to the model promoted before the current one."""
    try:
        typer.echo(f"current: {model_store.rollback()}")
    except CsflowsError as exc:
        fail(str(exc))
