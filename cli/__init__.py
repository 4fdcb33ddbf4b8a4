"""The `csflows` command: one sub-command group per concern, each in its own module.

A command that cannot go on raises a csflows error; it ends here, once, in one line on stderr
(`error: <what happened and what to do>`) and the exit code of its branch (csflows/errors.py).
"""

from __future__ import annotations

import os
from typing import Any

import typer
from typer.core import TyperGroup

from cli import (
    cadence,
    classifier,
    classify,
    customers,
    db,
    demo,
    inquiry,
    letters,
    orders,
    po,
    policy,
    serve,
    tiers,
    touchpoint,
    triage,
    vet,
)
from csflows.errors import CsflowsError, exit_code

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")


class Commands(TyperGroup):
    """The top command group: every command runs inside it, so a csflows error from any of them
    (or from the flow a command runs in this process) ends here in one line, with no traceback."""

    def invoke(self, ctx: Any) -> Any:  # typer's own click Context (typer._click)
        try:
            return super().invoke(ctx)
        except CsflowsError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(exit_code(exc)) from None


app = typer.Typer(
    cls=Commands, no_args_is_help=True, add_completion=False, help=(__doc__ or "").split("\n\n")[0]
)
app.add_typer(db.app, name="db")
app.add_typer(customers.app, name="customers")
app.add_typer(orders.app, name="orders")
app.add_typer(tiers.app, name="tiers")
app.add_typer(cadence.app, name="cadence")
app.add_typer(touchpoint.app, name="touchpoint")
app.add_typer(inquiry.app, name="inquiry")
app.add_typer(letters.app, name="letters")
app.add_typer(policy.app, name="policy")
app.add_typer(classifier.app, name="classifier")
app.command("serve")(serve.serve)
app.command("demo")(demo.demo)
app.command("vet")(vet.vet)
app.command("po")(po.po)
app.command("classify")(classify.classify)
app.command("triage")(triage.triage_file)


def main() -> None:
    """The console script: errors end in `Commands.invoke`, which the test runner goes through
    too (it calls `app` without `main`)."""
    app()
