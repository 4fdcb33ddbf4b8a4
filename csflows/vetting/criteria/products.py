"""Products criterion (seed 001): was the applicant specific about the division's product lines?"""

from __future__ import annotations

import re
from collections.abc import Sequence

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
    form: NewCustomerInquiry,
    division: Division | None,
    min_score: float = MATCH_SCORE,
    others: Sequence[Division] = (),
) -> CheckResult:
    """pass when a wanted line matches the division's catalog; fail when every specific line
    the applicant names is one that another division makes and this one does not; review when
    the answers are vague, missing, or match nothing we know (a person judges)."""
    evidence: list[Evidence] = []
    answers = [a for a in form.product_lines if a.strip()]
    if form.current_products:
        evidence.append(Evidence(source="form", fact=f"sells today: {form.current_products}"))
    if division is None:
        evidence.append(
            Evidence(source="form", fact="no known division to match product lines against")
        )
        return _review(evidence)
    if not division.product_lines:
        evidence.append(
            Evidence(source="catalog", fact=f"no product lines are listed for {division.name}")
        )
        return _review(evidence)
    matched, elsewhere, specific = False, 0, 0
    for answer in answers:
        if is_vague(answer):
            evidence.append(
                Evidence(source="form", fact=f"{answer!r} is not a specific product line")
            )
            continue
        specific += 1
        if hit := match_line(answer, division.product_lines, min_score):
            matched = True
            evidence.append(
                Evidence(
                    source="catalog",
                    fact=f"{answer!r} matches {division.name}'s {hit[0]!r} ({hit[1]:.0f}%)",
                )
            )
        elif other := _made_by_another(answer, division, others, min_score):
            elsewhere += 1
            evidence.append(
                Evidence(
                    source="catalog",
                    fact=f"{answer!r} is {other[0].name}'s {other[1]!r}, a line "
                    f"{division.name} does not make",
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
    doubts = [e.fact for e in evidence if e.source != "form" or not e.fact.startswith("sells")]
    if matched:
        verdict = Verdict.PASS
    elif specific and elsewhere == specific:
        verdict = Verdict.FAIL
    else:
        verdict = Verdict.REVIEW
    reason = "" if matched else "; ".join(doubts[:2])
    return CheckResult(criterion="products", verdict=verdict, evidence=evidence, reason=reason)


def _review(evidence: list[Evidence]) -> CheckResult:
    """review for the last piece of evidence: the reason no line could be matched."""
    return CheckResult(
        criterion="products", verdict=Verdict.REVIEW, evidence=evidence, reason=evidence[-1].fact
    )


def _made_by_another(
    answer: str, division: Division, others: Sequence[Division], min_score: float
) -> tuple[Division, str] | None:
    """The other division (and its line) that makes what the answer names, if any."""
    for other in others:
        hit = match_line(answer, other.product_lines, min_score) if other.product_lines else None
        if hit and other.key != division.key:
            return other, hit[0]
    return None
