"""The vetting run on Prefect (seed 001): started for a returned form, suspended at its human
gates until a person (or another flow) answers, and answered from other flows: the purchase-order
flow gives an approved applicant's first PO, the inbox an applicant's re-submitted form.

The gates' forms and how their answers enter the audit trail are the domain's
(`csflows.vetting.gates`); this module is what drives Prefect.
"""

from __future__ import annotations

import hashlib
from decimal import Decimal
from typing import Any, TypeVar
from uuid import UUID

from prefect.flow_runs import resume_flow_run, suspend_flow_run
from prefect.input import RunInput

from csflows.errors import GateError, InquiryNotFound
from csflows.links import flow_run_link
from csflows.models import InquiryStatus
from csflows.run_inputs import with_context
from csflows.vetting.gates import recorded_answer
from csflows.vetting.inquiries import InquiryRecord
from tasks.deployment_runs import start_run

DEPLOYMENT = "vet-new-customer/vet-new-customer"
BURST_DEPLOYMENT = "vet-inquiry-burst/vet-inquiry-burst"

G = TypeVar("G", bound=RunInput)


def wait_at_gate(
    inquiry: InquiryRecord,
    key: str,
    answer_type: type[G],
    description: str = "",
    form: type[G] | None = None,
    **initial: Any,
) -> G:
    """The answer at gate `key`: from the audit trail if it was answered before (a resumed or
    retried run), else suspend the run until the operator (or another flow) answers. The Resume
    form (`form`, default `answer_type`: a narrower one may offer dropdowns of today's people)
    shows `description` (markdown: what the person needs to decide) above the fields,
    pre-filled with `initial`; a recorded answer is read back as `answer_type`."""
    answered = recorded_answer(inquiry, key, answer_type)
    if answered is not None:
        return answered
    return suspend_flow_run(
        wait_for_input=with_context(form or answer_type, description, **initial), key=key
    )


def submit(
    form: dict[str, Any],
    source: str = "cli",
    rep: str | None = None,
    reading: dict[str, Any] | None = None,
    ticket_id: int | None = None,
) -> tuple[str, str]:
    """Start the vet-new-customer deployment for a returned form (run by `rep`, a person of
    people.yaml, when given; `reading`: how a machine read it from a scan, photo or printed
    form; `ticket_id`: the mail it came in, whose run it is once, however often it is routed);
    the run id and its UI link."""
    parameters: dict[str, Any] = {"form": form, "source": source}
    if rep:
        parameters["rep"] = rep
    if reading:
        parameters["reading"] = reading
    key = None
    if ticket_id is not None:
        parameters["ticket_id"] = ticket_id
        key = ticket_run_key(ticket_id, DEPLOYMENT)
    run_id = start_run(
        DEPLOYMENT, parameters, kept="the form was not submitted", idempotency_key=key
    )
    return str(run_id), flow_run_link(run_id)


def ticket_run_key(ticket_id: int, deployment: str) -> str:
    """The idempotency key of the run a ticket starts of `deployment`: one run per ticket."""
    return f"ticket:{ticket_id}:{deployment}"


def submit_burst(
    forms: list[dict[str, Any]],
    source: str = "burst",
    ticket_ids: list[int] | None = None,
) -> tuple[str, str]:
    """Start one vet-inquiry-burst run for many returned forms (each inquiry then waits at its
    approval gate in a vetting run of its own, created without a process); its id and link.
    With `ticket_ids` (the mail each form came in, in turn), the same tickets start one run."""
    parameters: dict[str, Any] = {"forms": forms, "source": source}
    key = None
    if ticket_ids is not None:
        parameters["ticket_ids"] = ticket_ids
        tickets = hashlib.sha256(",".join(map(str, ticket_ids)).encode()).hexdigest()[:32]
        key = f"tickets:{tickets}:{BURST_DEPLOYMENT}"
    run_id = start_run(
        BURST_DEPLOYMENT, parameters, kept="the forms were not submitted", idempotency_key=key
    )
    return str(run_id), flow_run_link(run_id)


def resume_with_first_po(inquiry_id: int, po_number: str, amount: Decimal) -> str:
    """Answer an approved applicant's first-PO gate (from the purchase-order flow); returns the run id."""
    try:
        inquiry = InquiryRecord.load(inquiry_id)
    except InquiryNotFound as exc:
        raise GateError(str(exc)) from exc
    if inquiry.status is not InquiryStatus.AWAITING_FIRST_PO or not inquiry.flow_run_id:
        raise GateError(f"inquiry {inquiry_id} is {inquiry.status}, not awaiting its first PO")
    resume_flow_run(
        UUID(inquiry.flow_run_id), run_input={"po_number": po_number, "amount": str(amount)}
    )
    return inquiry.flow_run_id


def answer_info_request(flow_run_id: str, form: dict[str, Any], note: str = "") -> None:
    """Give a waiting vetting run the applicant's re-submitted form (its info-request gate)."""
    resume_flow_run(UUID(flow_run_id), run_input={"form": form, "note": note})
