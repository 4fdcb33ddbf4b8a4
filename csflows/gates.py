"""The human gates of vetting (seed 001) as Prefect run inputs, and how other flows answer them.

The vetting run suspends with `suspend_flow_run(wait_for_input=...)`; the operator answers in the
UI's form, or another flow (the purchase-order flow, for the first PO) answers through the API.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from prefect.input import RunInput


class ApprovalDecision(RunInput):
    """The supervisor's answer to a vetting (exactly these three fields)."""

    decision: Literal["approve", "decline", "request_info"]
    reviewer: str
    note: str


class FirstPurchaseOrder(RunInput):
    """The approved applicant's first purchase order; only then is the customer created."""

    po_number: str
    amount: Decimal
