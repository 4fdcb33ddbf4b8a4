"""The `csflows` command: one sub-command group per concern, each in its own module."""

from __future__ import annotations

import os

import typer

from csflows.cli import classify, customers, db, serve, vet

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")

app = typer.Typer(no_args_is_help=True, add_completion=False, help=__doc__)
app.add_typer(db.app, name="db")
app.add_typer(customers.app, name="customers")
app.command("serve")(serve.serve)
app.command("demo")(serve.demo)
app.command("classify")(classify.classify)
app.command("vet")(vet.vet)


def main() -> None:
    app()
