"""Seed 001, new-customer vetting, as the `vet-new-customer` deployment.

The form is stored first; an incomplete one goes back to the applicant. A complete one is checked
(five criteria, concurrently), scored in an artifact, and sent to the supervisor, who answers in
the Prefect UI: approve, decline or request_info. An approved applicant is asked for a first PO,
and only when it arrives is the customer created (store, NetSuite), ready for retention.

Resuming re-runs this flow from the top: every step before a gate reads what it persisted (the
assessment per round, the gate answers in the audit trail) and every email has an idempotency
key, so nothing is checked, paid for or sent twice, and gates come in a deterministic order.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.runtime import flow_run

from csflows import policy
from csflows.calendar import approval_actions_due, business_days_between
from csflows.models import Assessment, NewCustomerInquiry, Recommendation
from csflows.vetting import inquiries, onboarding
from csflows.vetting import mail as vetting_mail
from csflows.vetting.gates import (
    ApplicantAnswer,
    ApprovalDecision,
    FirstPurchaseOrder,
    answer_info_request,
    flow_run_link,
    wait_at_gate,
)
from csflows.vetting.policy import approval_policy
from csflows.vetting.scorecard import escape, render_scorecard
from flows.vetting_checks import assess
from tasks.crm import netsuite_customer_task, save_customer_task
from tasks.messaging import send_email_task
from tasks.run_labels import label_current_run


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40] or "unnamed"


def _flow_run_id() -> str:
    return str(flow_run.get_id() or "local")


def _run_alive(run_id: str) -> bool:
    """Whether the run that owns an inquiry can still finish it (not crashed, failed, cancelled)."""
    from uuid import UUID

    from prefect import get_client

    try:
        with get_client(sync_client=True) as client:
            state = client.read_flow_run(UUID(run_id)).state
    except Exception:  # an unknown or unreadable run cannot finish anything
        return False
    return state is not None and not (
        state.is_failed() or state.is_crashed() or state.is_cancelled()
    )


@task(name="receive-inquiry")
def receive_inquiry(form: dict[str, Any], source: str, ticket_id: int | None) -> inquiries.Claim:
    """Store the raw form before anything parses it; one vetting per inquiry."""
    return inquiries.receive(form, _flow_run_id(), source, ticket_id, run_alive=_run_alive)


@task(name="forward-answer", task_run_name="answer run {owner}")
def forward_answer(owner: str, form: dict[str, Any], attempts: int = 12) -> bool:
    """Give the waiting vetting run the applicant's answer; it may still be on its way to the
    gate (the info request just sent), so wait for it a little. The form is stored either way."""
    import time

    from prefect.exceptions import NotPausedError

    for _ in range(attempts):
        try:
            answer_info_request(owner, form)
            return True
        except NotPausedError:
            time.sleep(5)
    get_run_logger().warning(
        "run %s is not waiting for an answer; the form is kept in the audit trail", owner
    )
    return False


def name_run(inquiry_id: int, business_name: str, division: str | None) -> None:
    """`vet-<business>-<inquiry id>`, tagged with the division, so the UI says who and what."""
    try:
        tag = f"division:{policy.divisions().get(division or '').key}"
    except KeyError:
        tag = "division:unknown"
    label_current_run(f"vet-{_slug(business_name)}-{inquiry_id}", [tag])


def assess_round(
    inquiry_id: int, round_: int
) -> tuple[Assessment, NewCustomerInquiry | None, bool]:
    """This round's assessment: from the store when it was made before, else made and persisted.

    Returns the assessment, the parsed form (None when unreadable) and whether it is new."""
    raw = inquiries.raw_form(inquiry_id)
    form, problems = inquiries.parse_form(raw)
    known = inquiries.load_assessment(inquiry_id, round_)
    if known is not None:
        return known, form, False
    if form is None:
        assessment = Assessment(recommendation=Recommendation.INCOMPLETE, missing_fields=problems)
    else:
        inquiries.save_form(inquiry_id, form)
        assessment = assess(form, problems)  # the checks as this run's tasks, not a nested run
    inquiries.save_assessment(inquiry_id, round_, assessment)
    inquiries.record_decision(
        inquiry_id,
        f"assessed:{round_}",
        "assessed",
        note=f"recommendation {assessment.recommendation.value}",
        evidence={"round": round_, "assessment": assessment.model_dump(mode="json")},
    )
    return assessment, form, True


def return_for_completion(inquiry_id: int, round_: int, assessment: Assessment) -> dict[str, Any]:
    """Seed 001: a form not completed in its entirety goes back to the applicant."""
    raw = inquiries.raw_form(inquiry_id)
    to = str(raw.get("email") or "")
    if to and not any(m.field == "email" for m in assessment.missing_fields):
        send_email_task(
            vetting_mail.incomplete(inquiry_id, round_, to, raw, assessment.missing_fields)
        )
    else:
        get_run_logger().warning(
            "inquiry %s has no usable email: returned without a letter", inquiry_id
        )
    inquiries.set_status(inquiry_id, "returned_for_completion")
    inquiries.record_decision(
        inquiry_id,
        f"returned:{round_}",
        "returned_for_completion",
        note=", ".join(m.field for m in assessment.missing_fields),
        evidence={
            "round": round_,
            "missing_fields": [m.model_dump() for m in assessment.missing_fields],
        },
    )
    return outcome(inquiry_id, "returned_for_completion", "the form went back to the applicant")


def outcome(inquiry_id: int, status: str, summary: str, **details: Any) -> dict[str, Any]:
    """The vetting's result, for the run's page in the UI (an artifact) and its return value."""
    create_markdown_artifact(
        key=f"vetting-result-{inquiry_id}",
        markdown=f"# Inquiry {inquiry_id}: {status.replace('_', ' ')}\n\n{summary}\n",
        description=f"Vetting result, inquiry {inquiry_id}",
    )
    return {"inquiry_id": inquiry_id, "status": status, **details}


def _answered(inquiry_id: int, gate: str) -> bool:
    """Whether gate `gate` was answered already (a re-run must not move the status back)."""
    return inquiries.decision(inquiry_id, f"gate:{gate}") is not None


def ask_supervisor(
    inquiry_id: int, round_: int, form: NewCustomerInquiry, assessment: Assessment, fresh: bool
) -> None:
    """Publish the scorecard, email the supervisor the summary and the run's link."""
    if fresh or inquiries.status(inquiry_id) == "received":
        create_markdown_artifact(
            key=f"vetting-scorecard-{inquiry_id}",
            markdown=render_scorecard(inquiry_id, form, assessment, round_),
            description=f"Vetting scorecard, inquiry {inquiry_id}, round {round_}",
        )
    rules = approval_policy()
    link = flow_run_link(_flow_run_id())
    send_email_task(
        vetting_mail.supervisor_review(inquiry_id, round_, form, assessment, link, rules)
    )
    if not _answered(inquiry_id, f"approval-{round_}"):
        inquiries.set_status(inquiry_id, "awaiting_approval")
    inquiries.record_decision(
        inquiry_id,
        f"approval-requested:{round_}",
        "approval_requested",
        note=f"asked {rules.supervisor_email}",
        evidence={"round": round_, "link": link, "flow_run_id": _flow_run_id()},
    )


def record_answer(
    inquiry_id: int, round_: int, answer: ApprovalDecision, assessment: Assessment
) -> None:
    """The audit trail: who decided, when, why, and the evidence they saw."""
    inquiries.record_decision(
        inquiry_id,
        f"gate:approval-{round_}",
        answer.decision,
        reviewer=answer.reviewer,
        note=answer.note,
        evidence={
            "round": round_,
            "answer": answer.model_dump(mode="json"),
            "assessment": assessment.model_dump(mode="json"),
        },
    )


def apply_answer(inquiry_id: int, round_: int, answer: ApplicantAnswer) -> list[str]:
    """Lay the applicant's answer over the stored form; returns the fields that changed."""
    before = inquiries.raw_form(inquiry_id)
    after = _merge(before, answer.form)
    changed = sorted(
        k
        for k in set(_flat(before)) | set(_flat(after))
        if _flat(before).get(k) != _flat(after).get(k)
    )
    if inquiries.record_decision(
        inquiry_id,
        f"gate:answer-{round_}",
        "info_received",
        reviewer=inquiries.raw_answer(after, "email") or "applicant",
        note=answer.note or f"changed: {', '.join(changed) or 'nothing'}",
        evidence={
            "round": round_ + 1,
            "answer": answer.model_dump(mode="json"),
            "changed": changed,
        },
    ):
        form, _ = inquiries.parse_form(after)
        if form is not None:
            inquiries.save_form(inquiry_id, form, raw=after)
        else:
            inquiries.save_raw(inquiry_id, after)
    return changed


def _merge(base: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in changes.items():
        out[key] = (
            _merge(out[key], value)
            if isinstance(value, dict) and isinstance(out.get(key), dict)
            else value
        )
    return out


def _flat(doc: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in doc.items():
        if isinstance(value, dict):
            out |= _flat(value, f"{prefix}{key}.")
        else:
            out[f"{prefix}{key}"] = value
    return out


def create_customer(
    inquiry_id: int, form: NewCustomerInquiry, po: FirstPurchaseOrder
) -> dict[str, Any]:
    """Seed 001: the customer record, only now (approved, first PO received)."""
    customer = onboarding.new_customer(inquiry_id, form, approval_policy())
    saved = save_customer_task(inquiry_id, customer, po.po_number, po.amount)
    netsuite_id = netsuite_customer_task(inquiry_id, saved)
    inquiries.set_status(inquiry_id, "customer_created")
    inquiries.record_decision(
        inquiry_id,
        "customer-created",
        "customer_created",
        note=f"customer {saved.id}, first PO {po.po_number}",
        evidence={
            "customer_id": saved.id,
            "netsuite_id": netsuite_id,
            "po_number": po.po_number,
            "amount": str(po.amount),
        },
    )
    where = f"store and NetSuite ({netsuite_id})" if netsuite_id else "store"
    return outcome(
        inquiry_id,
        "customer_created",
        f"customer {saved.id} created in the {where}, ready for retention",
        customer_id=saved.id,
        netsuite_id=netsuite_id,
    )


@flow(name="vet-new-customer", persist_result=True)
def vet_new_customer(
    form: dict[str, Any], source: str = "ui", ticket_id: int | None = None
) -> dict[str, Any]:
    """Vet a returned New Customer Inquiry Form (seed 001), from the form to the customer record."""
    logger = get_run_logger()
    claim = receive_inquiry(form, source, ticket_id)
    if claim.action == "duplicate":
        logger.info(
            "inquiry %s is already %s (run %s): not vetted again",
            claim.inquiry_id,
            claim.status,
            claim.owner,
        )
        return {"inquiry_id": claim.inquiry_id, "status": claim.status, "duplicate_of": claim.owner}
    if claim.action == "answer":
        forward_answer(str(claim.owner), form)
        logger.info(
            "inquiry %s: the re-submitted form answers run %s", claim.inquiry_id, claim.owner
        )
        return {"inquiry_id": claim.inquiry_id, "status": "info_requested", "answered": claim.owner}
    name_run(claim.inquiry_id, str(form.get("business_name") or "unnamed"), form.get("division"))
    round_ = claim.round
    while True:
        assessment, parsed, fresh = assess_round(claim.inquiry_id, round_)
        if assessment.recommendation is Recommendation.INCOMPLETE or parsed is None:
            return return_for_completion(claim.inquiry_id, round_, assessment)
        ask_supervisor(claim.inquiry_id, round_, parsed, assessment, fresh)
        answer = wait_at_gate(claim.inquiry_id, f"approval-{round_}", ApprovalDecision)
        record_answer(claim.inquiry_id, round_, answer, assessment)
        if answer.decision == "approve":
            break
        if answer.decision == "decline":
            send_email_task(
                vetting_mail.decline(claim.inquiry_id, parsed, assessment, approval_policy())
            )
            inquiries.set_status(claim.inquiry_id, "declined")
            return outcome(claim.inquiry_id, "declined", f"declined by {escape(answer.reviewer)}")
        send_email_task(vetting_mail.request_info(claim.inquiry_id, round_, parsed, answer.note))
        if not _answered(claim.inquiry_id, f"answer-{round_}"):
            inquiries.set_status(claim.inquiry_id, "info_requested")
        applicant = wait_at_gate(claim.inquiry_id, f"answer-{round_}", ApplicantAnswer)
        changed = apply_answer(claim.inquiry_id, round_, applicant)
        logger.info(
            "inquiry %s: the applicant changed %s; checking again", claim.inquiry_id, changed
        )
        round_ += 1
    send_email_task(vetting_mail.approved(claim.inquiry_id, parsed))
    if not _answered(claim.inquiry_id, "first-po"):
        inquiries.set_status(claim.inquiry_id, "awaiting_first_po")
    po = wait_at_gate(claim.inquiry_id, "first-po", FirstPurchaseOrder)
    inquiries.record_decision(
        claim.inquiry_id,
        "gate:first-po",
        "first_po_received",
        reviewer=parsed.email or "applicant",
        note=f"PO {po.po_number} for {po.amount}",
        evidence={"answer": po.model_dump(mode="json")},
    )
    return create_customer(claim.inquiry_id, parsed, po)


@flow(name="watch-approvals")
def watch_approvals(now: datetime | None = None) -> list[dict[str, Any]]:
    """An unanswered approval is never a silent failure: a reminder to the supervisor first,
    then, after the configured business days, an escalation to the Customer Service Manager."""
    rules = approval_policy()
    now = now or datetime.now(UTC)
    sent = []
    for waiting in inquiries.awaiting_approval():
        waited = business_days_between(
            waiting["requested_at"], now, rules.business_timezone, rules.holidays
        )
        due = approval_actions_due(
            waited, rules.reminder_after_business_days, rules.approval_timeout_business_days
        )
        link = flow_run_link(waiting["flow_run_id"]) if waiting["flow_run_id"] else ""
        for action in due:
            email = vetting_mail.approval_nudge(
                action,
                waiting["inquiry_id"],
                waiting["round"],
                waiting["business_name"],
                waited,
                link,
                rules,
            )
            delivery = send_email_task(email)
            recorded = inquiries.record_decision(
                waiting["inquiry_id"],
                f"approval-{action}:{waiting['round']}",
                f"approval_{action}",
                note=f"waited {waited:.1f} business days; emailed {email.to}",
                evidence={"round": waiting["round"], "waited_business_days": round(waited, 2)},
            )
            if recorded or delivery.status == "sent":
                sent.append({"inquiry_id": waiting["inquiry_id"], "action": action, "to": email.to})
    return sent
