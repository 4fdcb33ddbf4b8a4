"""Vetting policy the business tunes, validated at load: the criteria's thresholds
(`config/vetting.yaml`) and the approval: reviewers, the wait, new-customer defaults
(`config/approval.yaml`)."""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from pathlib import Path

from pydantic import EmailStr, Field, HttpUrl, model_validator

from csflows.models.common import Model, TimeZoneName
from csflows.paths import config_dir
from csflows.policy import load_yaml_model


class WebsitePolicy(Model):
    min_domain_age_days: int = Field(180, ge=0)
    max_redirects: int = Field(5, ge=0, le=20)
    max_bytes: int = Field(2_000_000, gt=0)
    connect_timeout_seconds: float = Field(5, gt=0)
    read_timeout_seconds: float = Field(10, gt=0)
    total_timeout_seconds: float = Field(20, gt=0)
    linked_pages: int = Field(3, ge=0, le=10)


class ProductsPolicy(Model):
    match_score: float = Field(80, ge=0, le=100)


class AddressPolicy(Model):
    places_name_score: float = Field(85, ge=0, le=100)


class LookupsPolicy(Model):
    cache_days: float = Field(30, ge=0)
    rdap_requests_per_second: float = Field(2, gt=0)
    timeout_seconds: float = Field(10, gt=0)  # one Google or RDAP request
    google_retry_seconds: float = Field(20, gt=0)  # Google's 5xx/429 retried this long per try


class VettingPolicy(Model):
    website: WebsitePolicy = Field(default_factory=WebsitePolicy)
    products: ProductsPolicy = Field(default_factory=ProductsPolicy)
    address: AddressPolicy = Field(default_factory=AddressPolicy)
    lookups: LookupsPolicy = Field(default_factory=LookupsPolicy)


@lru_cache(maxsize=4)
def _policy_at(path: Path, mtime: float) -> VettingPolicy:
    return load_yaml_model(path, VettingPolicy)


def vetting_policy(path: Path | None = None) -> VettingPolicy:
    """`config/vetting.yaml` (defaults when the file is absent), re-read when it changes."""
    path = path or config_dir() / "vetting.yaml"
    if not path.exists():
        return VettingPolicy()
    return _policy_at(path, path.stat().st_mtime)


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
