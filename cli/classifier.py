"""`csflows classifier show|rollback`: which triage model types tickets, and going back one."""

from __future__ import annotations

import time
from typing import Any

import typer

from cli.output import emit_json
from csflows.paths import home

# the triage model's modules load scikit-learn and skops (seconds): imported by the commands
# that use them, so every other command starts without them

app = typer.Typer(no_args_is_help=True, help="The triage model (retrained by retrain-classifier).")


@app.command("show")
def show(as_json: bool = typer.Option(False, "--json", help="JSON for scripts")) -> None:
    """The current model, the ones before it, and their evaluations."""
    from csflows.triage.classifier import registry
    from csflows.triage.classifier.current import typing_model

    index = registry.read_index()
    if as_json:
        emit_json(index)
        return
    current = index.get("current")
    if current is None:
        typer.echo(
            "current: none promoted yet; the model shipped with the repository types tickets"
        )
        _echo(typing_model().record)
    else:
        typer.echo(f"current: {current}")
    for version in reversed(index.get("history", [])):
        _echo(index["models"][version])


def _echo(record: dict[str, Any]) -> None:
    from csflows.triage.classifier import registry

    figures = record["evaluation"]
    shown = ", ".join(f"{k} {figures[k]}" for k in registry.COMPARED)
    typer.echo(f"  {record['version']}: {shown}, threshold {record['threshold']}")


@app.command("build")
def build() -> None:
    """Build the model shipped with the repository now (once per machine, under a minute), so
    the first ticket does not wait for it."""
    from csflows.triage.classifier import training

    started = time.perf_counter()
    record = training.shipped_model().record
    typer.echo(f"{record['version']} ready in {time.perf_counter() - started:.0f} s")


@app.command("rollback")
def rollback() -> None:
    """Go back to the model promoted before the current one."""
    from csflows.triage.classifier import registry

    typer.echo(f"current: {registry.rollback()}")


@app.command("adopt")
def adopt() -> None:
    """Copy the models an earlier csflows kept in this machine's CSFLOWS_HOME/models into the
    store, where every worker reads them (their promotions too, when the store has none)."""
    from csflows.triage.classifier import registry

    copied = registry.adopt_local_models(home() / "models")
    typer.echo(
        f"copied {len(copied)} model(s) into the store; current: {registry.current_version()}"
    )
