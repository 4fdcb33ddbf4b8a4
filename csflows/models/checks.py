"""The result of one vetting criterion (seed 001), with the evidence a supervisor reads."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from csflows.models.common import Model


class Verdict(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    REVIEW = "review"


class Evidence(Model):
    source: str = Field(
        description="where the fact comes from, e.g. 'form', 'google.addressvalidation'"
    )
    fact: str
    link: str | None = None


class CheckResult(Model):
    criterion: str = Field(description="amazon | address | website | products | minimums")
    verdict: Verdict
    evidence: list[Evidence] = Field(default_factory=list)
    reason: str = Field(
        "", description="why the verdict is not pass, in one line of the evidence (empty on pass)"
    )
    api_calls: int = Field(0, ge=0)

    def deciding_fact(self) -> str:
        """The one line a short summary shows: why it is a fail or a review, else the first
        piece of evidence."""
        if self.reason and self.verdict is not Verdict.PASS:
            return self.reason
        return self.evidence[0].fact if self.evidence else ""
