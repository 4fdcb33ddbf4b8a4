"""A customer's order; orders feed tiers (seed 003)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum

from pydantic import Field

from csflows.models.common import Model


class OrderStatus(StrEnum):
    """What csflows writes in `orders.status`; an import keeps whatever its file says, and
    config/tiers.yaml's counted_statuses names the ones that count toward purchases."""

    ACCEPTED = "accepted"


class Order(Model):
    customer_id: str = Field(min_length=1)
    order_date: date
    amount: Decimal = Field(max_digits=14, decimal_places=2, description="negative for a refund")
    po_number: str = ""
