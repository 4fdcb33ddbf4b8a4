"""The approval policy of vetting (`config/approval.yaml`): reviewers, the approval wait, new-customer defaults."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from pydantic import EmailStr, Field, HttpUrl, model_validator

from csflows.models.common import Model, TimeZoneName
from csflows.paths import config_dir
from csflows.policy import load_yaml_model


class RetailChannel(Model):
    name: str = Field(min_length=1)
    url: HttpUrl


class ApprovalPolicy(Model):
    """Who answers the approval gate and by when; validated at load."""

    supervisor_email: EmailStr
    manager_email: EmailStr
    reminder_after_business_days: float = Field(3, gt=0)
    approval_timeout_business_days: float = Field(5, gt=0)
    business_timezone: TimeZoneName = "America/Chicago"
    holidays: list[date] = Field(default_factory=list)
    new_customer_level: int = Field(3, ge=1, le=4)
    customer_id_prefix: str = Field("NC", pattern=r"^[A-Z0-9-]{1,10}$")
    retail_channels: list[RetailChannel] = Field(default_factory=list)

    @model_validator(mode="after")
    def _reminder_before_timeout(self) -> ApprovalPolicy:
        if self.reminder_after_business_days >= self.approval_timeout_business_days:
            raise ValueError(
                "reminder_after_business_days must be less than approval_timeout_business_days"
            )
        return self


def approval_policy(path: Path | None = None) -> ApprovalPolicy:
    """The policy from `config/approval.yaml` (read on each call: runs wait for days)."""
    return load_yaml_model(path or config_dir() / "approval.yaml", ApprovalPolicy)
