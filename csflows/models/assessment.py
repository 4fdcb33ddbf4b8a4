"""The automated part of vetting (seed 001): completeness, the five criteria, a recommendation."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from csflows.models.checks import CheckResult
from csflows.models.common import Model

CRITERIA = ("amazon", "address", "website", "products", "minimums")


class Recommendation(StrEnum):
    INCOMPLETE = "incomplete"
    DECLINE = "decline"
    REVIEW = "review"
    APPROVE = "approve"


class MissingField(Model):
    field: str = Field(description="the form's JSON key, dotted for the address: address.city")
    reason: str = Field(description="what is wrong, in words a customer understands")


class Assessment(Model):
    recommendation: Recommendation
    missing_fields: list[MissingField] = Field(default_factory=list)
    criteria: dict[str, CheckResult] = Field(default_factory=dict)
