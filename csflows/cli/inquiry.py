"""`csflows inquiry show|submit`: a new-customer inquiry's vetting, and its audit trail."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer

from csflows import inquiries, store
from csflows.cli.output import emit_json, fail

app = typer.Typer(no_args_is_help=True, help="New-customer inquiries (seed 001).")

DEPLOYMENT = "vet-new-customer/vet-new-customer"


def submit_for_vetting(form: dict[str, Any], source: str = "cli") -> tuple[str, str]:
    """Start the vet-new-customer deployment for `form`; returns the run id and its UI link."""
    from prefect.deployments import run_deployment

    from csflows.gates import flow_run_link

    run: Any = run_deployment(DEPLOYMENT, parameters={"form": form, "source": source}, timeout=0)
    return str(run.id), flow_run_link(run.id)


def _read_form(path: Path) -> dict[str, Any]:
    """A form file as the deployment takes it: JSON, or YAML."""
    import yaml

    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        fail(f"{path}: cannot read: {exc.strerror or exc}")
    try:
        document = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        fail(f"{path}: not valid {'JSON' if path.suffix.lower() == '.json' else 'YAML'}: {exc}")
    if not isinstance(document, dict):
        fail(f"{path}: a form is an object of fields (business_name, email, ...)")
    return document


@app.command("submit")
def submit(form: Path = typer.Argument(..., help="the returned form, .json or .yaml")) -> None:
    """Submit a returned form to the vet-new-customer deployment and print the run's UI link."""
    run_id, link = submit_for_vetting(_read_form(form))
    typer.echo(f"vetting started: run {run_id}\n{link}")


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
    try:
        shown = inquiries.show(inquiry_id)
    except inquiries.InquiryNotFound as exc:
        fail(str(exc))
    if as_json:
        emit_json(shown)
        return
    typer.echo(f"inquiry {shown['id']}: {shown['business_name']} <{shown['email']}>")
    typer.echo(
        f"  status {shown['status']}, recommendation {shown['recommendation']}, round {shown['round']}"
    )
    if shown["flow_run_id"]:
        from csflows.gates import flow_run_link

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
