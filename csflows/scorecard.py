"""How an assessment is shown: the documented JSON, a plain-text scorecard for the terminal and
a markdown scorecard for the Prefect UI (applicant text escaped, only http(s) links)."""

from __future__ import annotations

import html
import re
from typing import Any
from urllib.parse import quote

from csflows.models import Assessment

VERDICT_LABEL = {"pass": "PASS", "fail": "FAIL", "review": "REVIEW"}
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|>~])")


def assessment_json(assessment: Assessment) -> dict[str, Any]:
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
    lines = [f"Vetting: {business or '(no business name)'}", ""]
    if assessment.missing_fields:
        lines.append("The form is incomplete; return it to the applicant for:")
        lines += [f"  - {m.field}: {m.reason}" for m in assessment.missing_fields]
    for name, result in assessment.criteria.items():
        lines.append(f"{VERDICT_LABEL[result.verdict.value]:<7} {name}")
        for evidence in result.evidence:
            link = f"  <{evidence.link}>" if evidence.link else ""
            lines.append(f"        {evidence.source}: {evidence.fact}{link}")
    lines += ["", f"Recommendation: {assessment.recommendation.value.upper()}"]
    return "\n".join(lines)


def escape_markdown(text: str) -> str:
    """Applicant text as inert markdown: no HTML, no links, no formatting."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", html.escape(text, quote=False)).replace("\n", " ")


def _safe_link(url: str | None) -> str:
    if not url or not re.match(r"^https?://", url, re.I):
        return ""
    return f" ([link]({quote(url, safe=':/?=&%#+,;@~')}))"


def scorecard_markdown(business: str, assessment: Assessment) -> str:
    """The vetting scorecard a supervisor reads in the UI."""
    out = [
        f"# Vetting: {escape_markdown(business or '(no business name)')}",
        "",
        f"**Recommendation: {assessment.recommendation.value}**",
        "",
    ]
    if assessment.missing_fields:
        out += ["## Missing or invalid fields", ""]
        out += [f"- `{m.field}`: {escape_markdown(m.reason)}" for m in assessment.missing_fields]
    if assessment.criteria:
        out += ["| criterion | verdict | evidence |", "|---|---|---|"]
        for name, result in assessment.criteria.items():
            facts = "<br>".join(
                f"{escape_markdown(e.source)}: {escape_markdown(e.fact)}{_safe_link(e.link)}"
                for e in result.evidence
            )
            out.append(f"| {name} | **{VERDICT_LABEL[result.verdict.value]}** | {facts} |")
    return "\n".join(out) + "\n"
