"""Divisions and their Level-4 and minimum-order policies (seeds 000 and 001)."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import Field, HttpUrl, field_validator, model_validator

from csflows.models.common import Model, Money


class Level4Policy(StrEnum):
    """What Customer Service does with a purchase order from a Level-4 customer (seed 000)."""

    MINIMUMS_LETTER = "minimums_letter"  # send the division's minimums letter, order not entered
    REDIRECT_TO_WEBSITE = "redirect_to_website"  # send the website redirect, order not entered
    TREAT_AS_LEVEL_3 = "treat_as_level_3"  # re-levelled; the order minimums apply
    ORDER_MINIMUMS = "order_minimums"  # the order minimums apply
    NONE = "none"  # the division has no Level-4 customers: one is an anomaly


class Minimums(Model):
    """A division's order minimums; a figure the seeds do not give stays unset (None)."""

    order_quantity: str | None = Field(None, description="e.g. 'inner pack'")
    order_amount: Money | None = Field(None, ge=0, description="minimum per order, USD")
    annual_credit_card: Money | None = Field(None, ge=0, description="annual minimum, card")
    annual_terms: Money | None = Field(None, ge=0, description="annual minimum, on terms")
    effective: date | None = None

    @property
    def has_figures(self) -> bool:
        return any(
            v is not None for v in (self.order_amount, self.annual_credit_card, self.annual_terms)
        )


class Division(Model):
    """One Advantus division as `config/divisions.yaml` describes it."""

    key: str = Field(pattern=r"^[a-z0-9_]+$")
    name: str = Field(min_length=1)
    aliases: list[str] = Field(default_factory=list)
    level4_policy: Level4Policy
    level4_template: str | None = None
    level4_note: str = ""
    website: HttpUrl | None = None
    support_email: str | None = None
    minimums: Minimums = Field(default_factory=Minimums)
    level4_moved_to_level: int | None = Field(
        None, ge=1, le=3, description="the level the division moved its Level 4 customers to"
    )
    product_lines: list[str] = Field(default_factory=list)
    new_customer_form: str | None = None
    form_fields: dict[str, str] = Field(
        default_factory=dict,
        description="the division's own inquiry form: its field names or printed labels -> the "
        "New Customer Inquiry Form's keys (`address.city` for address parts)",
    )

    @field_validator("form_fields")
    @classmethod
    def _form_keys(cls, mapping: dict[str, str]) -> dict[str, str]:
        from csflows.models.inquiry import Address, NewCustomerInquiry

        keys = set(NewCustomerInquiry.model_fields) - {"address"}
        keys |= {f"address.{part}" for part in Address.model_fields}
        if unknown := sorted(set(mapping.values()) - keys):
            raise ValueError(f"form_fields: not fields of the inquiry form: {', '.join(unknown)}")
        return mapping

    @model_validator(mode="after")
    def _template_when_sending(self) -> Division:
        sends = {Level4Policy.MINIMUMS_LETTER, Level4Policy.REDIRECT_TO_WEBSITE}
        if self.level4_policy in sends and not self.level4_template:
            raise ValueError(f"level4_policy {self.level4_policy.value} needs a level4_template")
        if self.level4_policy is Level4Policy.REDIRECT_TO_WEBSITE and self.website is None:
            raise ValueError("level4_policy redirect_to_website needs a website")
        return self
