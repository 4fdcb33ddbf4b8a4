"""`csflows vet FORM`: vet a returned New Customer Inquiry Form (seed 001).

With `--no-gate` the automated part runs as a Prefect flow run and the assessment is printed;
without it the vetting (with the supervisor's approval gate) belongs to the vet-new-customer
deployment.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from csflows import store
from csflows.cli.output import emit_json, fail
from csflows.forms import FormError, read_form
from csflows.models import Assessment

VERDICT_MARK = {"pass": "PASS  ", "fail": "FAIL  ", "review": "REVIEW"}


def assessment_json(assessment: Assessment) -> dict[str, Any]:
    """The documented shape: recommendation, missing_fields, criteria as {verdict, evidence}."""
    return {
        "recommendation": assessment.recommendation.value,
        "missing_fields": [m.model_dump(mode="json") for m in assessment.missing_fields],
        "criteria": {
            name: {
                "verdict": result.verdict.value,
                "evidence": [e.model_dump(mode="json") for e in result.evidence],
            }
            for name, result in assessment.criteria.items()
        },
    }


def scorecard(business: str, assessment: Assessment) -> str:
    lines = [f"Vetting: {business or '(no business name)'}", ""]
    if assessment.missing_fields:
        lines.append("The form is incomplete; return it to the applicant for:")
        lines += [f"  - {m.field}: {m.reason}" for m in assessment.missing_fields]
    for name, result in assessment.criteria.items():
        lines.append(f"{VERDICT_MARK[result.verdict.value]}  {name}")
        for evidence in result.evidence:
            link = f"  <{evidence.link}>" if evidence.link else ""
            lines.append(f"          {evidence.source}: {evidence.fact}{link}")
    lines += ["", f"Recommendation: {assessment.recommendation.value.upper()}"]
    return "\n".join(lines)


def vet(
    form: Path = typer.Argument(..., help="the returned form: .json, .yaml or the .pdf"),
    no_gate: bool = typer.Option(False, "--no-gate", help="only the automated checks, no approval"),
    as_json: bool = typer.Option(False, "--json", help="print the assessment as JSON"),
) -> None:
    """Check a New Customer Inquiry Form: completeness, then the five criteria of seed 001."""
    if not no_gate:
        fail(
            "vetting with the supervisor's approval gate runs through the vet-new-customer "
            "deployment (start it from the Prefect UI or `prefect deployment run "
            "vet-new-customer/vet-new-customer`); use --no-gate for the automated checks only"
        )
    try:
        inquiry, problems = read_form(form)
    except FormError as exc:
        fail(str(exc))
    store.upgrade()
    from flows.vetting_checks import assess_inquiry

    assessment = assess_inquiry(inquiry, problems)
    if as_json:
        emit_json(assessment_json(assessment))
    else:
        typer.echo(scorecard(inquiry.business_name or "", assessment))
