"""Seed 001 for many returned forms at once, as the `vet-inquiry-burst` deployment: one process
checks them all, then each inquiry's own vet-new-customer run is created already waiting at its
approval gate (`tasks.suspended_gates`), with no process of its own until a person answers.

A gate run is what `vet-new-customer` would have become by itself: named and tagged the same
(`awaiting:supervisor`, so automations fire), its scorecard artifact, the supervisor's mail with
its link, the Resume form with the whole context, its receipt and the approval request in the
audit trail. Resumed, the served deployment runs the flow from the top: the round is its own,
the checks are read from the store, the mail is already in the outbox, and `suspend_flow_run`
returns the answer.

The store knows what is left: an inquiry received here waits among `needing_gate()` until its
gate run owns it (one transaction); a burst killed midway leaves them there, and the next burst
(or this one again) creates only the missing gates, each once (idempotency key per inquiry and
round), the mail once (outbox).
"""

from __future__ import annotations

import contextvars
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from uuid import UUID

from prefect import flow, get_run_logger
from prefect.client.orchestration import get_client

from csflows.links import flow_run_link
from csflows.models import BurstOutcome, Recommendation
from csflows.run_inputs import with_context
from csflows.vetting import letters
from csflows.vetting.criteria.completeness import missing_fields
from csflows.vetting.inquiries import InquiryRecord, parse_form
from csflows.vetting.owner import rep_for
from csflows.vetting.policy import approval_policy
from csflows.vetting.scorecard import approval_context, render_scorecard
from flows.vetting import (
    _flow_run_id,
    _run_alive,
    approval_form_for,
    approval_prefill,
    assess_round,
    forward_answer,
    publish_pending_approvals,
    return_for_completion,
    run_label,
)
from tasks.messaging import send_email_task
from tasks.suspended_gates import SuspendedGate, attach_markdown, create_gate, deployment_id
from tasks.vetting import assess_in_threads
from tasks.vetting_gates import DEPLOYMENT, submit

# inquiries checked at once in the burst's process (bench/README.md), three threads each;
# Google's quota and the store's single-flight cache pace the calls
GATES_AT_ONCE = 16


def complete(form: dict[str, Any]) -> bool:
    """A form every field of which reads: it goes to the supervisor's gate. Any other goes back
    to the applicant through a vetting run of its own, as before."""
    parsed, problems = parse_form(form)
    return parsed is not None and not missing_fields(parsed, problems)


def approval_gate(inquiry: InquiryRecord, round_: int, source: str) -> SuspendedGate | None:
    """The approval gate `vet-new-customer` would reach for this round, checks done and kept
    (here, on threads of this run: ten task runs per inquiry would cost more than the checks);
    None when the form turns out incomplete (returned)."""
    assessment, parsed, _fresh = assess_round(inquiry, round_, assess_in_threads)
    if assessment.recommendation is Recommendation.INCOMPLETE or parsed is None:
        return_for_completion(inquiry, round_, assessment)
        return None
    name, division_tag = run_label(
        inquiry.id, str(inquiry.raw.get("business_name") or "unnamed"), inquiry.raw.get("division")
    )
    form = with_context(
        approval_form_for(parsed),
        approval_context(inquiry.id, parsed, assessment, round_),
        **approval_prefill(parsed, assessment),
    )
    parameters: dict[str, Any] = {"form": inquiry.raw, "source": source}
    if inquiry.rep:
        parameters["rep"] = inquiry.rep
    if inquiry.ticket_id is not None:  # as triage starts vet-new-customer for a mailed form
        parameters["ticket_id"] = inquiry.ticket_id
    return SuspendedGate(
        key=f"approval-{round_}",
        form=form,
        parameters=parameters,
        name=name,
        tags=[division_tag, "awaiting:supervisor"],
        idempotency_key=f"inquiry:{inquiry.id}:approval-{round_}",
    )


def open_approval_gate(
    inquiry: InquiryRecord, round_: int, deployment: UUID, source: str
) -> str | None:
    """Check one inquiry, create its run at the approval gate with its scorecard, mail the
    supervisor its link, and hand the inquiry to that run; the run's id (None: returned)."""
    gate = approval_gate(inquiry, round_, source)
    if gate is None:
        return None
    assessment = inquiry.assessments[round_]
    parsed, _ = inquiry.parsed()
    assert parsed is not None  # approval_gate returned a gate: the form reads
    with get_client(sync_client=True) as client:
        run_id = create_gate(client, deployment, gate)
        attach_markdown(
            client,
            run_id,
            f"vetting-scorecard-{inquiry.id}",
            render_scorecard(inquiry.id, parsed, assessment, round_),
            f"Vetting scorecard, inquiry {inquiry.id}, round {round_}",
        )
    rules, link = approval_policy(), flow_run_link(run_id)
    send_email_task(letters.supervisor_review(inquiry.id, round_, parsed, assessment, link, rules))
    inquiry.hand_to_gate(round_, str(run_id), str(rules.supervisor_email), link)
    return str(run_id)


def _in_threads(calls: list[tuple[Any, ...]], at_once: int) -> list[Any]:
    """`open_approval_gate(*args)` for each, `at_once` at a time, each in a copy of this
    context (the flow run's: its task runner, its Prefect settings)."""
    contexts = [contextvars.copy_context() for _ in calls]
    with ThreadPoolExecutor(max(1, min(at_once, len(calls)))) as pool:
        return list(pool.map(lambda c, a: c.run(open_approval_gate, *a), contexts, calls))


@flow(name="vet-inquiry-burst")
def vet_inquiry_burst(
    forms: list[dict[str, Any]],
    source: str = "burst",
    rep: str | None = None,
    ticket_ids: list[int] | None = None,
) -> BurstOutcome:
    """Vet many returned forms in one run up to the supervisor's gate: each inquiry gets its own
    vet-new-customer run waiting there, and the ones a killed burst left are finished too.
    `ticket_ids`: the mail each form came in (triage), in turn, kept as a single form's is."""
    logger = get_run_logger()
    me = _flow_run_id()
    outcome = BurstOutcome()
    everyone = rep_for(rep, None).key  # the rep of forms that came in no mail, as before
    for form, ticket_id in zip(forms, ticket_ids or [None] * len(forms), strict=True):
        if not complete(form):
            outcome.own_runs.append(submit(form, source, rep, ticket_id=ticket_id)[0])
            continue
        owner = everyone if ticket_id is None else rep_for(rep, ticket_id).key
        claim = InquiryRecord.receive(
            form, me, source, ticket_id, run_alive=_run_alive, rep=owner, gate_pending=True
        )
        if claim.action == "answer":
            forward_answer(str(claim.owner), form)
            outcome.answered.append(claim.inquiry_id)
        elif claim.action == "duplicate":
            outcome.duplicates.append(claim.inquiry_id)
    pending = [
        (inquiry, round_)
        for inquiry, round_ in InquiryRecord.needing_gate()
        if inquiry.flow_run_id == me or not _run_alive(str(inquiry.flow_run_id))
    ]
    with get_client(sync_client=True) as client:
        deployment = deployment_id(client, DEPLOYMENT)
    runs = _in_threads([(i, r, deployment, source) for i, r in pending], GATES_AT_ONCE)
    outcome.gates = {i.id: run for (i, _), run in zip(pending, runs, strict=True) if run}
    publish_pending_approvals()
    logger.info(
        "%d inquiries wait at their approval gate; %d went their own way",
        len(outcome.gates),
        len(outcome.own_runs),
    )
    return outcome
