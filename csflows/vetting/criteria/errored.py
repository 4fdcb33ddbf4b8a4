"""A check that could not run is a question for a person, never a crash of the vetting."""

from __future__ import annotations

from csflows.models import CheckResult, Evidence, Verdict


def errored_check(criterion: str, error: BaseException | str) -> CheckResult:
    """review, with the error (API, status, message; no secrets) as the evidence."""
    message = str(error) or error.__class__.__name__
    fact = f"the {criterion} check could not run: {message[:300]}"
    return CheckResult(
        criterion=criterion,
        verdict=Verdict.REVIEW,
        evidence=[Evidence(source="error", fact=fact)],
        reason=fact,
    )
