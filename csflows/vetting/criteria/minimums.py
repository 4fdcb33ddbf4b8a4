"""Order-minimums criterion (seed 001): can the applicant order in the division's minimums?"""

from __future__ import annotations

from csflows.models import (
    CheckResult,
    Division,
    Evidence,
    NewCustomerInquiry,
    PaymentMethod,
    Verdict,
)
from csflows.money import usd


def minimums_verdict(form: NewCustomerInquiry, division: Division | None) -> CheckResult:
    """fail with the numbers when below, pass when met, review when the division has no figure."""
    if division is None or not division.minimums.has_figures:
        name = division.name if division else "the division"
        fact = f"{name} has no minimum-order figures on file"
        return CheckResult(
            criterion="minimums",
            verdict=Verdict.REVIEW,
            evidence=[Evidence(source="policy", fact=fact)],
            reason=fact,
        )
    rules = division.minimums
    annual = (
        rules.annual_terms
        if form.payment_method is PaymentMethod.TERMS
        else rules.annual_credit_card
    )
    method = "payment terms" if form.payment_method is PaymentMethod.TERMS else "credit card"
    evidence: list[Evidence] = []
    failed = False
    unknown = False
    for label, stated, minimum in (
        ("first order", form.first_order_amount, rules.order_amount),
        (f"annual purchases ({method})", form.annual_purchases, annual),
    ):
        if minimum is None:
            unknown = True
            evidence.append(
                Evidence(source="policy", fact=f"{division.name} sets no {label} minimum")
            )
        elif stated is None:
            unknown = True
            evidence.append(Evidence(source="form", fact=f"no {label} amount given"))
        elif stated < minimum:
            failed = True
            evidence.append(
                Evidence(
                    source="policy",
                    fact=f"{label} {usd(stated)} is below the {division.name} minimum of {usd(minimum)}",
                )
            )
        else:
            evidence.append(
                Evidence(
                    source="policy",
                    fact=f"{label} {usd(stated)} meets the {division.name} minimum of {usd(minimum)}",
                )
            )
    verdict = Verdict.FAIL if failed else Verdict.REVIEW if unknown else Verdict.PASS
    below = [e.fact for e in evidence if " is below " in e.fact]
    unmet = [e.fact for e in evidence if " meets " not in e.fact]  # below or unknown
    reason = (below or unmet or [""])[0] if verdict is not Verdict.PASS else ""
    return CheckResult(criterion="minimums", verdict=verdict, evidence=evidence, reason=reason)
