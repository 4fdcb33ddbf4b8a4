"""The New Customer Inquiry Form (seed 001), with the JSON keys integrators post.

Every field is optional here so that an incomplete form can still be read and stored;
completeness is a rule of its own (`csflows.vetting.criteria.completeness`).
"""

from __future__ import annotations

import re
from decimal import Decimal
from enum import StrEnum

from pydantic import Field

from csflows import limits
from csflows.models.common import EmailText, Line, Model, Name, Paragraph, PhoneText, UrlText


class StoreType(StrEnum):
    PHYSICAL = "physical"
    ONLINE = "online"
    BOTH = "both"


class PaymentMethod(StrEnum):
    CREDIT_CARD = "credit_card"
    TERMS = "terms"


class Address(Model):
    street: Line | None = None
    unit: Line | None = None
    city: Line | None = None
    region: Line | None = None
    postal_code: Line | None = None
    country: Line | None = "US"

    def one_line(self) -> str:
        parts = [self.street, self.unit, self.city, self.region, self.postal_code, self.country]
        return ", ".join(p for p in parts if p)

    def normalized(self) -> str:
        """The address as one comparable line: cache key and log-safe label."""
        line = re.sub(r"[^\w# -]", " ", self.one_line().lower())
        return re.sub(r"\s+", " ", line).strip()

    def lines(self) -> list[str]:
        """Street (with unit) and locality, as a postal service reads them."""
        street = " ".join(p for p in (self.street, self.unit) if p)
        locality = " ".join(p for p in (self.city, self.region, self.postal_code) if p)
        return [line for line in (street, locality) if line]


class NewCustomerInquiry(Model):
    """The form a prospective customer returns; keys are part of the public interface."""

    business_name: Name | None = Field(None, description="Legal business name")
    dba: Name | None = Field(None, description="Doing business as")
    contact_name: Name | None = None
    email: EmailText | None = None
    phone: PhoneText | None = None
    address: Address = Field(default_factory=Address)
    website: UrlText | None = None
    sells_on_amazon: bool | None = Field(None, description="Do you sell on Amazon (FBA or FBM)?")
    amazon_storefront: Name | None = Field(None, description="Storefront name or seller id")
    division: Line | None = None
    product_lines: list[Line] = Field(default_factory=list, max_length=limits.LIST_ITEMS)
    current_products: Paragraph | None = Field(None, description="Products you already sell")
    store_type: StoreType | None = None
    first_order_amount: Decimal | None = Field(None, ge=0, max_digits=limits.AMOUNT_DIGITS)
    annual_purchases: Decimal | None = Field(None, ge=0, max_digits=limits.AMOUNT_DIGITS)
    payment_method: PaymentMethod | None = None
    tax_id: Line | None = Field(None, description="Resale certificate or tax id")
