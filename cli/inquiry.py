"""`csflows inquiry show|submit`: a new-customer inquiry's vetting, and its audit trail."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer

from cli.output import emit_json
from csflows import store
from csflows.vetting.inquiries import InquiryRecord

app = typer.Typer(no_args_is_help=True, help="New-customer inquiries (seed 001).")


@app.command("submit")
def submit(
    forms: list[Path] = typer.Argument(..., help="returned forms: .json, .yaml or the .pdf"),
) -> None:
    """Submit returned forms: one to the vet-new-customer deployment (same as `csflows vet
    FORM`); several at once as one vet-inquiry-burst run, which checks them in one process and
    gives each inquiry its own run waiting at the approval gate."""
    from cli.vet import machine_reading, read_form_data, submit_to_deployment, vet

    if len(forms) == 1:
        vet(forms[0], no_gate=False, as_json=False)
        return
    batch = []
    for form in forms:
        if machine_reading(form) is not None:  # a scan or photo: a rep may key it, its own run
            submit_to_deployment(form)
        else:
            batch.append(json.loads(json.dumps(read_form_data(form), default=str)))
    if batch:
        from tasks.vetting_gates import submit_burst

        run_id, link = submit_burst(batch, source="cli")
        typer.echo(f"{len(batch)} forms checked in one run ({run_id}); each waits at its gate:")
        typer.echo(link)


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
