"""The human gates of vetting (seed 001) as Prefect run inputs, and how other flows answer them.

The vetting run suspends with `suspend_flow_run(wait_for_input=...)`; the operator answers in the
UI's form, or another flow (the purchase-order flow, for the first PO) answers through the API.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Literal, TypeVar
from uuid import UUID

from prefect.input import RunInput

from csflows.errors import GateError
from csflows.models.common import Line, Name, Paragraph


class ApprovalDecision(RunInput):
    """The supervisor's answer to a vetting (exactly these three fields)."""

    decision: Literal["approve", "decline", "request_info"]
    reviewer: Name
    note: Paragraph


class FirstPurchaseOrder(RunInput):
    """The approved applicant's first purchase order; only then is the customer created."""

    po_number: Line
    amount: Decimal


class ApplicantAnswer(RunInput):
    """The applicant's answer to a request for information: the form's changed fields (or all)."""

    form: dict[str, Any]
    note: Paragraph = ""


G = TypeVar("G", bound=RunInput)


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


def flow_run_link(flow_run_id: str | UUID) -> str:
    """The run's page in the Prefect UI (where the supervisor answers the form)."""
    from prefect.settings import get_current_settings
    from prefect.utilities.urls import url_for

    link = url_for("flow-run", obj_id=str(flow_run_id))
    if link:
        return link
    api = (get_current_settings().api.url or "http://127.0.0.1:4200/api").removesuffix("/api")
    return f"{api}/runs/flow-run/{flow_run_id}"


def wait_at_gate(inquiry_id: int, key: str, answer_type: type[G]) -> G:
    """The answer at gate `key`: from the audit trail if it was answered before (a resumed or
    retried run), else suspend the run until the operator (or another flow) answers."""
    from prefect.flow_runs import suspend_flow_run

    from csflows.vetting import inquiries

    answered = inquiries.decision(inquiry_id, f"gate:{key}")
    if answered is not None:
        return answer_type.model_validate(answered["evidence"]["answer"])
    return suspend_flow_run(wait_for_input=answer_type, key=key)


def answer_info_request(flow_run_id: str, form: dict[str, Any], note: str = "") -> None:
    """Give a waiting vetting run the applicant's re-submitted form (its info-request gate)."""
    from prefect.flow_runs import resume_flow_run

    resume_flow_run(UUID(flow_run_id), run_input={"form": form, "note": note})
