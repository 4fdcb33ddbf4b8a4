"""The New Customer Inquiry Form (seed 001), with the JSON keys integrators post.

Every field is optional here so that an incomplete form can still be read and stored;
completeness is a rule of its own (`csflows.rules.completeness`).
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum

from pydantic import Field

from csflows.models.common import Model


class StoreType(StrEnum):
    PHYSICAL = "physical"
    ONLINE = "online"
    BOTH = "both"


class PaymentMethod(StrEnum):
    CREDIT_CARD = "credit_card"
    TERMS = "terms"


class Address(Model):
    street: str | None = None
    unit: str | None = None
    city: str | None = None
    region: str | None = None
    postal_code: str | None = None
    country: str | None = "US"

    def one_line(self) -> str:
        parts = [self.street, self.unit, self.city, self.region, self.postal_code, self.country]
        return ", ".join(p for p in parts if p)


class NewCustomerInquiry(Model):
    """The form a prospective customer returns; keys are part of the public interface."""

    business_name: str | None = Field(None, description="Legal business name")
    dba: str | None = Field(None, description="Doing business as")
    contact_name: str | None = None
    email: str | None = None
    phone: str | None = None
    address: Address = Field(default_factory=Address)
    website: str | None = None
    sells_on_amazon: bool | None = Field(None, description="Do you sell on Amazon (FBA or FBM)?")
    amazon_storefront: str | None = Field(None, description="Storefront name or seller id")
    division: str | None = None
    product_lines: list[str] = Field(default_factory=list)
    current_products: str | None = Field(None, description="Products you already sell")
    store_type: StoreType | None = None
    first_order_amount: Decimal | None = Field(None, ge=0)
    annual_purchases: Decimal | None = Field(None, ge=0)
    payment_method: PaymentMethod | None = None
    tax_id: str | None = Field(None, description="Resale certificate or tax id")
