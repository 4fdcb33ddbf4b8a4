"""Vetting policy the business tunes, validated at load: the criteria's thresholds
(`config/vetting.yaml`) and the approval: reviewers, the wait, new-customer defaults
(`config/approval.yaml`). The wait is counted on the business calendar (`config/calendar.yaml`)."""

from __future__ import annotations

from collections.abc import Container
from datetime import date, datetime
from pathlib import Path
from typing import ClassVar

from pydantic import Field, HttpUrl, model_validator

from csflows import config
from csflows.calendar import business_calendar
from csflows.models.common import Model
from csflows.models.inquiry import Address, NewCustomerInquiry
from csflows.people import people


class WebsitePolicy(Model):
    min_domain_age_days: int = Field(180, ge=0)
    max_redirects: int = Field(5, ge=0, le=20)
    max_bytes: int = Field(2_000_000, gt=0)
    connect_timeout_seconds: float = Field(5, gt=0)
    read_timeout_seconds: float = Field(10, gt=0)
    total_timeout_seconds: float = Field(20, gt=0)
    linked_pages: int = Field(4, ge=0, le=10)


class ProductsPolicy(Model):
    match_score: float = Field(80, ge=0, le=100)


class AddressPolicy(Model):
    places_name_score: float = Field(85, ge=0, le=100)


class LookupsPolicy(Model):
    cache_days: float = Field(30, ge=0)
    rdap_requests_per_second: float = Field(2, gt=0)
    timeout_seconds: float = Field(10, gt=0)  # one Google or RDAP request


def inquiry_form_keys() -> list[str]:
    """The standard New Customer Inquiry Form's fields, in its order (`address.city`, ...)."""
    keys: list[str] = []
    for name in NewCustomerInquiry.model_fields:
        parts = Address.model_fields if name == "address" else None
        keys += [f"{name}.{part}" for part in parts] if parts else [name]
    return keys


class InquiryFormPolicy(Model):
    """The fields the standard New Customer Inquiry Form asks (seed 001 names the form, not its
    fields): listed in config so the business sees and confirms them; they must be the form's."""

    fields: list[str] = Field(default_factory=inquiry_form_keys)

    @model_validator(mode="after")
    def _the_forms_fields(self) -> InquiryFormPolicy:
        if self.fields != inquiry_form_keys():
            raise ValueError(
                "fields: the standard form's fields are, in order: "
                + ", ".join(inquiry_form_keys())
                + " (changing them is a change to the form in csflows.models.inquiry)"
            )
        return self


class VettingPolicy(Model):
    inquiry_form: InquiryFormPolicy = Field(default_factory=InquiryFormPolicy)
    website: WebsitePolicy = Field(default_factory=WebsitePolicy)
    products: ProductsPolicy = Field(default_factory=ProductsPolicy)
    address: AddressPolicy = Field(default_factory=AddressPolicy)
    lookups: LookupsPolicy = Field(default_factory=LookupsPolicy)


def vetting_policy(path: Path | None = None) -> VettingPolicy:
    """`config/vetting.yaml` (defaults when the file is absent), re-read when it changes."""
    return config.load("vetting", VettingPolicy, path, optional=True)


class RetailChannel(Model):
    name: str = Field(min_length=1)
    url: HttpUrl


class ApprovalPolicy(Model):
    """Who answers the approval gate and by when; validated at load."""

    moved_keys: ClassVar[dict[str, str]] = {
        "business_timezone": "calendar.yaml (timezone)",
        "holidays": "calendar.yaml (company_days; public holidays come from its country)",
        "supervisor_email": "supervisor (a person's key in people.yaml)",
        "manager_email": "manager (a person's key in people.yaml)",
    }

    supervisor: str = Field(min_length=1, description="key of people.yaml: reviews inquiries")
    manager: str = Field(min_length=1, description="key of people.yaml: gets what waits too long")
    reminder_after_business_days: float = Field(3, gt=0)
    approval_timeout_business_days: float = Field(5, gt=0)
    new_customer_level: int = Field(3, ge=1, le=4)
    customer_id_prefix: str = Field("NC", pattern=r"^[A-Z0-9-]{1,10}$")
    retail_channels: list[RetailChannel] = Field(default_factory=list)

    @model_validator(mode="after")
    def _people_exist(self) -> ApprovalPolicy:
        team = people()
        for role, key in (("supervisor", self.supervisor), ("manager", self.manager)):
            if team.find(key) is None:
                raise ValueError(f"{role}: {key!r} is not a person in people.yaml")
        return self

    @property
    def supervisor_email(self) -> str:
        return str(people().get(self.supervisor).email)

    @property
    def manager_email(self) -> str:
        return str(people().get(self.manager).email)

    @model_validator(mode="after")
    def _reminder_before_timeout(self) -> ApprovalPolicy:
        if self.reminder_after_business_days >= self.approval_timeout_business_days:
            raise ValueError(
                "reminder_after_business_days must be less than approval_timeout_business_days"
            )
        return self

    @property
    def business_timezone(self) -> str:
        """The business calendar's time zone, where the wait is counted."""
        return business_calendar().timezone

    @property
    def holidays(self) -> Container[date]:
        """The business calendar's closed days (public holidays it keeps and company days)."""
        return business_calendar().holidays

    def waited_business_days(self, requested_at: datetime, now: datetime) -> float:
        """How long an approval asked at `requested_at` has waited, on the business calendar."""
        return business_calendar().business_days_between(requested_at, now)


def approval_policy(path: Path | None = None) -> ApprovalPolicy:
    """The policy from `config/approval.yaml` (re-read when it changes: runs wait for days)."""
    return config.load("approval", ApprovalPolicy, path)
