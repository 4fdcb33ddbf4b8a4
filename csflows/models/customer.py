"""A customer as the CRM knows it: division, level, tier, sales agent, time zone."""

from __future__ import annotations

from enum import StrEnum

from pydantic import EmailStr, Field

from csflows.models.common import Line, Model, Name, Paragraph, PhoneText, TimeZoneName


class CustomerStatus(StrEnum):
    """Where a customer is; stored as these strings in `customers.status`."""

    ACTIVE = "active"  # imported from the CRM
    READY_FOR_RETENTION = "ready_for_retention"  # created by vetting: the cadence enrolls it
    IN_RETENTION = "in_retention"  # its cadence is planned


class Customer(Model):
    """A customer record (created only after approval and a first PO, seed 001)."""

    id: Line = Field(min_length=1, max_length=64)
    name: Name = Field(min_length=1)
    email: EmailStr
    phone: PhoneText = ""
    division: str = Field(description="division key, see config/divisions.yaml")
    level: int = Field(ge=1, le=4, description="1 (best) to 4 (rationalized, seed 000)")
    tier: str | None = None
    sales_agent: Name = ""
    address: Paragraph = ""
    timezone: TimeZoneName = "America/Chicago"
