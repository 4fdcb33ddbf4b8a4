"""`csflows inquiry show|submit`: a new-customer inquiry's vetting, and its audit trail."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from cli.output import emit_json
from csflows import store
from csflows.vetting.inquiries import InquiryRecord

app = typer.Typer(no_args_is_help=True, help="New-customer inquiries (seed 001).")


@app.command("submit")
def submit(
    form: Path = typer.Argument(..., help="the returned form: .json, .yaml or the .pdf"),
) -> None:
    """Submit a returned form to the vet-new-customer deployment (same as `csflows vet FORM`)."""
    from cli.vet import vet

    vet(form, no_gate=False, as_json=False)


def _line(d: dict[str, Any]) -> str:
    when = d["decided_at"].strftime("%Y-%m-%d %H:%M") if d.get("decided_at") else ""
    note = f": {d['note']}" if d.get("note") else ""
    return f"  {when}  {d['decision']:<24} by {d['reviewer']}{note}"


@app.command("show")
def show(
    inquiry_id: int = typer.Argument(..., help="the inquiry's id"),
    as_json: bool = typer.Option(False, "--json", help="JSON for scripts"),
) -> None:
    """An inquiry: status, latest checks, the audit trail (who, when, why), the mail sent."""
    store.upgrade()
    shown = InquiryRecord.load(inquiry_id).show()
    if as_json:
        emit_json(shown)
        return
    typer.echo(f"inquiry {shown['id']}: {shown['business_name']} <{shown['email']}>")
    typer.echo(
        f"  status {shown['status']}, recommendation {shown['recommendation']}, round {shown['round']}"
    )
    if shown["flow_run_id"]:
        from csflows.links import flow_run_link

        typer.echo(f"  run {flow_run_link(shown['flow_run_id'])}")
    typer.echo("checks:")
    for check in shown["checks"]:
        facts = "; ".join(e.get("fact", e.get("reason", "")) for e in check["evidence"])
        typer.echo(f"  {check['criterion']:<15} {check['verdict']:<10} {facts}")
    typer.echo("audit trail:")
    for decision in shown["decisions"]:
        typer.echo(_line(decision))
    typer.echo("mail:")
    for message in shown["messages"]:
        typer.echo(f"  {message['status']:<7} {message['to']}: {message['subject']}")
