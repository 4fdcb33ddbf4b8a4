"""The `csflows` command: one sub-command group per concern, each in its own module."""

from __future__ import annotations

import os

import typer

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

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")

app = typer.Typer(no_args_is_help=True, add_completion=False, help=__doc__)
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
    app()
