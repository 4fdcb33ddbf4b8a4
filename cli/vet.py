"""`csflows vet FORM`: vet a returned New Customer Inquiry Form (seed 001).

With `--no-gate` the automated part runs as a Prefect flow run (with no PREFECT_API_URL set, the
same code with its tasks in this process) and the assessment is printed; without it the vetting (with the supervisor's approval gate) belongs to the vet-new-customer
deployment.
"""

from __future__ import annotations

import json
from pathlib import Path

import typer

from cli.output import console_without_tracebacks, emit_json
from csflows import store
from csflows.errors import PersonNotFound, SettingMissing
from csflows.people import people
from csflows.vetting.forms.reading import inquiry_from_data, read_form, read_form_data
from csflows.vetting.forms.returned import FormReading, read_returned_file
from csflows.vetting.scorecard import assessment_json, scorecard_text

MACHINE_READ = {".png", ".jpg", ".jpeg", ".pdf"}


def machine_reading(form: Path) -> FormReading | None:
    """How a scan, a photo or a PDF other than csflows' fillable form was read (None for a
    .json, .yaml, the fillable PDF, or a PDF with nothing to read: read as before, so its
    problem is named)."""
    if form.suffix.lower() not in MACHINE_READ:
        return None
    reading = read_returned_file(form)
    if reading is None or not reading.by_machine:
        return None
    nothing = not reading.form and not reading.text.strip()
    return None if nothing and form.suffix.lower() == ".pdf" else reading


def submit_to_deployment(form: Path, rep: str | None = None) -> None:
    """The whole vetting, approval gate included, as a run of the vet-new-customer deployment."""
    import os

    from tasks.vetting_gates import submit

    reading = machine_reading(form)
    data = reading.form if reading else read_form_data(form)
    if rep and people().find(rep) is None:
        raise PersonNotFound(f"--rep: {rep!r} is not a person in config/people.yaml")
    if not os.environ.get("PREFECT_API_URL"):
        raise SettingMissing(
            "PREFECT_API_URL is not set: point it at the Prefect server that serves vet-new-customer"
        )
    run_id, link = submit(
        json.loads(json.dumps(data, default=str)),
        source="cli",
        rep=rep,
        reading=reading.model_dump(mode="json") if reading else None,
    )
    typer.echo(f"vetting started (run {run_id}); answer it in the Prefect UI:\n{link}")


def vet(
    form: Path = typer.Argument(
        ...,
        help="the returned form: .json, .yaml, the .pdf, or a scan or photo (.pdf, .png, .jpg: "
        "read by OCR; what cannot be read is keyed by the rep at the run's key-inquiry-form gate)",
    ),
    no_gate: bool = typer.Option(False, "--no-gate", help="only the automated checks, no approval"),
    as_json: bool = typer.Option(False, "--json", help="print the assessment as JSON"),
    rep: str | None = typer.Option(
        None, "--rep", help="the CS rep who runs the inquiry (people.yaml key, name or address)"
    ),
) -> None:
    """Check a New Customer Inquiry Form: completeness, then the five criteria of seed 001."""
    if not no_gate:
        submit_to_deployment(form, rep)
        return
    reading = machine_reading(form)
    inquiry, problems = inquiry_from_data(reading.form) if reading else read_form(form)
    store.upgrade()
    from flows.vetting import run_assess_inquiry
    from tasks.deployment_runs import require_prefect_server

    require_prefect_server()
    with console_without_tracebacks():
        assessment = run_assess_inquiry(inquiry, problems)
    if as_json:
        emit_json(assessment_json(assessment))
    else:
        typer.echo(scorecard_text(inquiry.business_name or "", assessment))
