"""Products criterion (seed 001): was the applicant specific about the division's product lines?"""

from __future__ import annotations

import re

from rapidfuzz import fuzz, process, utils

from csflows.models import CheckResult, Division, Evidence, NewCustomerInquiry, Verdict

MATCH_SCORE = 80  # RapidFuzz WRatio, 0-100
VAGUE = re.compile(
    r"^(?:any(?:thing)?|every(?:thing)?|all|all (?:of )?(?:your|the) (?:products|items|lines|stuff)|"
    r"all products|whatever|misc(?:ellaneous)?|n/?a|none|tbd|various|products|stuff|.)$",
    re.I,
)


def is_vague(answer: str) -> bool:
    words = re.sub(r"[^\w/ ]", "", answer).strip().lower()
    return not words or bool(VAGUE.match(words))


def match_line(
    answer: str, catalog: list[str], min_score: float = MATCH_SCORE
) -> tuple[str, float] | None:
    """The catalog product line the answer names, with its score, or None."""
    best = process.extractOne(answer, catalog, scorer=fuzz.WRatio, processor=utils.default_process)
    if best and best[1] >= min_score:
        return best[0], float(best[1])
    return None


def products_verdict(
    form: NewCustomerInquiry, division: Division | None, min_score: float = MATCH_SCORE
) -> CheckResult:
    """pass when at least one wanted line matches the catalog; review when vague or unmatched."""
    evidence: list[Evidence] = []
    answers = [a for a in form.product_lines if a.strip()]
    if form.current_products:
        evidence.append(Evidence(source="form", fact=f"sells today: {form.current_products}"))
    if division is None:
        evidence.append(
            Evidence(source="form", fact="no known division to match product lines against")
        )
        return CheckResult(criterion="products", verdict=Verdict.REVIEW, evidence=evidence)
    matched = False
    for answer in answers:
        if is_vague(answer):
            evidence.append(
                Evidence(source="form", fact=f"{answer!r} is not a specific product line")
            )
            continue
        hit = (
            match_line(answer, division.product_lines, min_score)
            if division.product_lines
            else None
        )
        if hit:
            matched = True
            evidence.append(
                Evidence(
                    source="catalog",
                    fact=f"{answer!r} matches {division.name}'s {hit[0]!r} ({hit[1]:.0f}%)",
                )
            )
        else:
            evidence.append(
                Evidence(
                    source="catalog", fact=f"{answer!r} matches no {division.name} product line"
                )
            )
    if not answers:
        evidence.append(Evidence(source="form", fact="no product lines named"))
    return CheckResult(
        criterion="products", verdict=Verdict.PASS if matched else Verdict.REVIEW, evidence=evidence
    )
