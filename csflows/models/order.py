"""A customer's order; orders feed tiers (seed 003)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import Field

from csflows.models.common import Model


class Order(Model):
    customer_id: str = Field(min_length=1)
    order_date: date
    amount: Decimal = Field(max_digits=14, decimal_places=2, description="negative for a refund")
    po_number: str = ""
