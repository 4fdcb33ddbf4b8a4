"""The human gates of vetting (seed 001) as Prefect run inputs, and how other flows answer them.

The vetting run suspends with `suspend_flow_run(wait_for_input=...)`; the operator answers in the
UI's form, or another flow (the purchase-order flow, for the first PO) answers through the API.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal
from uuid import UUID

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


class GateError(ValueError):
    """The inquiry is not waiting at the gate being answered."""


def resume_with_first_po(inquiry_id: int, po_number: str, amount: Decimal) -> str:
    """Answer an approved applicant's first-PO gate (from the purchase-order flow); returns the run id."""
    from prefect.flow_runs import resume_flow_run

    from csflows import store
    from csflows.store.tables import InquiryRow

    with store.session() as s:
        row = s.get(InquiryRow, inquiry_id)
        if row is None:
            raise GateError(f"inquiry {inquiry_id} does not exist")
        if row.status != "awaiting_first_po" or not row.flow_run_id:
            raise GateError(f"inquiry {inquiry_id} is {row.status}, not awaiting its first PO")
        flow_run_id = row.flow_run_id
    resume_flow_run(UUID(flow_run_id), run_input={"po_number": po_number, "amount": str(amount)})
    return flow_run_id
