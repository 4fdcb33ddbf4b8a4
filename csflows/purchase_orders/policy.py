"""The purchase-order procedure's policy: `config/purchase_orders.yaml`, validated at load."""

from __future__ import annotations

from pathlib import Path

from pydantic import EmailStr, Field

from csflows import config
from csflows.models.common import Model


class PurchaseOrderPolicy(Model):
    cs_address: EmailStr = Field(description="where POs from unknown senders go")
    public_mail_domains: list[str] = Field(
        default_factory=list, description="free-mail domains: never matched to a customer"
    )
    operator_wait_days: float = Field(
        3, gt=0, description="how long a run waits for an operator to read an unreadable PO"
    )
    supervisor_wait_days: float = Field(
        7, gt=0, description="how long a run waits for a supervisor's decision on a PO"
    )


def po_policy(path: Path | None = None) -> PurchaseOrderPolicy:
    """`config/purchase_orders.yaml` (PolicyError naming file, key and value when it is wrong)."""
    return config.load("purchase_orders", PurchaseOrderPolicy, path)
