"""The vetting scorecard a supervisor reads in the Prefect UI (markdown; applicant text escaped)."""

from __future__ import annotations

from decimal import Decimal

from csflows.markdown import escape, literal, safe_link
from csflows.models import CRITERIA, Assessment, NewCustomerInquiry
from csflows.money import usd
from csflows.run_inputs import in_words

_VERDICT_MARK = {"pass": "PASS", "fail": "FAIL", "review": "REVIEW"}
_ATTENTION = {"fail": 0, "review": 1, "pass": 2}  # evidence lines: what needs a person first


def render_scorecard(
    inquiry_id: int, form: NewCustomerInquiry, assessment: Assessment, round_: int = 1
) -> str:
    """The scorecard artifact for one vetting round: a title, what decides (the recommendation,
    each criterion's verdict and evidence), then the applicant's details."""
    name = escape(form.business_name or "(no business name)")
    title = f"# Vetting scorecard: {name} (inquiry {inquiry_id}, round {round_})"
    body = [*verdict_lines(assessment), "", *detail_lines(inquiry_id, form, round_)]
    return "\n".join([title, "", *body]) + "\n"


def approval_context(
    inquiry_id: int, form: NewCustomerInquiry, assessment: Assessment, round_: int = 1
) -> str:
    """The approval gate's description. The Resume dialog shows about a dozen lines before it
    scrolls, so they say what to decide and on what evidence; the applicant's details follow."""
    name = escape(form.business_name or "(no business name)")
    lines = verdict_lines(assessment, name)
    return "\n".join([*lines, "", *detail_lines(inquiry_id, form, round_)]) + "\n"


def verdict_lines(assessment: Assessment, business: str = "") -> list[str]:
    """The recommendation (for `business`), every criterion's verdict on one line, then one line
    per criterion with its verdict and evidence, failed and review first; then the fields to
    check, if any."""
    recommendation = f"**Recommendation: {assessment.recommendation.value.upper()}**"
    checked = [assessment.criteria[c] for c in CRITERIA if c in assessment.criteria]
    lines = [
        f"{recommendation} for **{business}**" if business else recommendation,
        "",
        " · ".join(f"{c} **{_verdict(assessment, c)}**" for c in CRITERIA),
        "",
    ]
    for result in sorted(checked, key=lambda r: _ATTENTION[r.verdict.value]):
        evidence = "; ".join(_evidence(e.fact, e.source, e.link) for e in result.evidence)
        verdict = f"- **{result.criterion}: {_VERDICT_MARK[result.verdict.value]}**"
        lines.append(f"{verdict}: {evidence}" if evidence else verdict)
    if assessment.missing_fields:
        lines += ["", "#### Fields to check", ""]
        lines += [f"- `{m.field}`: {escape(m.reason)}" for m in assessment.missing_fields]
    return lines


def _verdict(assessment: Assessment, criterion: str) -> str:
    result = assessment.criteria.get(criterion)
    return _VERDICT_MARK[result.verdict.value] if result else "not checked"


def _evidence(fact: str, source: str, link: str | None) -> str:
    """`fact (source)`, the source a link to what was seen when there is one."""
    return f"{escape(fact)} ({safe_link(source, link) if link else escape(source)})"


def detail_lines(inquiry_id: int, form: NewCustomerInquiry, round_: int) -> list[str]:
    """The applicant as the form gives them: contact, address, website, what they sell."""
    name = escape(form.business_name or "(no business name)")
    amazon = {True: "yes", False: "no", None: ""}[form.sells_on_amazon]
    return [
        f"#### {name}: inquiry {inquiry_id}, round {round_}",
        "",
        "| | |",
        "|---|---|",
        f"| DBA | {escape(form.dba or '')} |",
        f"| Contact | {escape(form.contact_name or '')} {literal(form.email or '')} {escape(form.phone or '')} |",
        f"| Address | {escape(form.address.one_line())} |",
        f"| Website | {literal(form.website or '')} |",
        f"| Division | {escape(form.division or '')} |",
        f"| Sells on Amazon | {amazon} {escape(form.amazon_storefront or '')} |",
        f"| Product lines | {escape(', '.join(form.product_lines))} |",
        f"| Already sells | {escape(form.current_products or '')} |",
        f"| Store type / payment | {escape(in_words(form.store_type))} / {escape(in_words(form.payment_method))} |",
        f"| First order / annual | {_amount(form.first_order_amount)} / {_amount(form.annual_purchases)} |",
    ]


def _amount(amount: Decimal | None) -> str:
    return "" if amount is None else usd(amount)


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
