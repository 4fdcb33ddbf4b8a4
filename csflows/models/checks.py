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
    api_calls: int = Field(0, ge=0)
