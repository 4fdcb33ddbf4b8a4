"""The vetting recommendation (seed 001): incomplete, else decline on any fail, review on any
review, else approve. The supervisor still decides; this only orders their attention."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from csflows.models import CheckResult, MissingField, Recommendation, Verdict


def recommend(
    missing: Sequence[MissingField], criteria: Mapping[str, CheckResult]
) -> Recommendation:
    if missing:
        return Recommendation.INCOMPLETE
    verdicts = {c.verdict for c in criteria.values()}
    if Verdict.FAIL in verdicts:
        return Recommendation.DECLINE
    if Verdict.REVIEW in verdicts or not criteria:
        return Recommendation.REVIEW
    return Recommendation.APPROVE
