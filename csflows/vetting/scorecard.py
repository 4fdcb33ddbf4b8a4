"""The vetting scorecard a supervisor reads in the Prefect UI (markdown; applicant text escaped)."""

from __future__ import annotations

from csflows.markdown import escape, literal, safe_link
from csflows.models import CRITERIA, Assessment, NewCustomerInquiry

_VERDICT_MARK = {"pass": "PASS", "fail": "FAIL", "review": "REVIEW"}


def render_scorecard(
    inquiry_id: int, form: NewCustomerInquiry, assessment: Assessment, round_: int = 1
) -> str:
    """Criteria, verdicts, evidence with links, and the recommendation, for one vetting round."""
    name = form.business_name or "(no business name)"
    lines = [
        f"# Vetting scorecard: {escape(name)} (inquiry {inquiry_id}, round {round_})",
        "",
        f"**Recommendation: {assessment.recommendation.value.upper()}**",
        "",
        "| | |",
        "|---|---|",
        f"| DBA | {escape(form.dba or '')} |",
        f"| Contact | {escape(form.contact_name or '')} {literal(form.email or '')} {escape(form.phone or '')} |",
        f"| Address | {escape(form.address.one_line())} |",
        f"| Website | {literal(form.website or '')} |",
        f"| Division | {escape(form.division or '')} |",
        f"| Sells on Amazon | {escape({True: 'yes', False: 'no', None: ''}[form.sells_on_amazon])} {escape(form.amazon_storefront or '')} |",
        f"| Product lines | {escape(', '.join(form.product_lines))} |",
        f"| Already sells | {escape(form.current_products or '')} |",
        f"| Store type / payment | {escape(form.store_type or '')} / {escape(form.payment_method or '')} |",
        f"| First order / annual | {escape(form.first_order_amount or '')} / {escape(form.annual_purchases or '')} |",
        "",
    ]
    if assessment.missing_fields:
        lines += ["## Missing or invalid fields", ""]
        lines += [f"- `{m.field}`: {escape(m.reason)}" for m in assessment.missing_fields]
        lines.append("")
    lines += ["## Criteria", ""]
    for criterion in CRITERIA:
        result = assessment.criteria.get(criterion)
        if result is None:
            lines += [f"### {criterion}: not checked", ""]
            continue
        lines += [f"### {criterion}: **{_VERDICT_MARK[result.verdict.value]}**", ""]
        for e in result.evidence:
            link = f" ({safe_link('source', e.link)})" if e.link else ""
            lines.append(f"- {escape(e.source)}: {escape(e.fact)}{link}")
        lines.append("")
    lines += [
        "",
        "Answer with the form on this run (Resume): decision approve, decline or request_info,",
        "your name as reviewer, and a note (sent to the applicant for request_info).",
    ]
    return "\n".join(lines) + "\n"


# --- the automated assessment alone (`csflows vet --no-gate`) ---------------------------------


def assessment_json(assessment: Assessment) -> dict[str, object]:
    """`{"recommendation", "missing_fields", "criteria": {name: {"verdict", "evidence"}}}`."""
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


def scorecard_text(business: str, assessment: Assessment) -> str:
    """The assessment as a terminal reads it."""
    lines = [f"Vetting: {business or '(no business name)'}", ""]
    if assessment.missing_fields:
        lines.append("The form is incomplete; return it to the applicant for:")
        lines += [f"  - {m.field}: {m.reason}" for m in assessment.missing_fields]
    for name, result in assessment.criteria.items():
        lines.append(f"{_VERDICT_MARK[result.verdict.value]:<7} {name}")
        for evidence in result.evidence:
            link = f"  <{evidence.link}>" if evidence.link else ""
            lines.append(f"        {evidence.source}: {evidence.fact}{link}")
    lines += ["", f"Recommendation: {assessment.recommendation.value.upper()}"]
    return "\n".join(lines)
