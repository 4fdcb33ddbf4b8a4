"""Seed 001, new-customer vetting, as the `vet-new-customer` deployment.

The form is stored first; an incomplete one goes back to the applicant. A complete one is checked
(five criteria, concurrently), scored in an artifact, and sent to the supervisor, who answers in
the Prefect UI: approve, decline or request_info. An approved applicant is asked for a first PO,
and only when it arrives is the customer created (store, NetSuite), ready for retention.

Resuming re-runs this flow from the top: every step before a gate reads what it persisted (the
assessment per round, the gate answers in the audit trail) and every email has an idempotency
key, so nothing is checked, paid for or sent twice, and gates come in a deterministic order.

`assess-inquiry` is the automated part alone as a flow run of its own, for `csflows vet --no-gate`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.context import SettingsContext, get_settings_context
from prefect.runtime import flow_run

from csflows.calendar import approval_actions_due
from csflows.divisions import divisions
from csflows.errors import CsflowsError, DivisionNotFound
from csflows.links import flow_run_link
from csflows.markdown import escape
from csflows.models import (
    ApprovalNudge,
    Assessment,
    DeliveryStatus,
    InquiryStatus,
    MissingField,
    NewCustomerInquiry,
    Recommendation,
    VettingOutcome,
)
from csflows.money import usd
from csflows.people import Role, people
from csflows.vetting import keying, letters, onboarding
from csflows.vetting.forms.returned import FormReading
from csflows.vetting.gates import (
    ApplicantAnswer,
    Approval,
    ApprovalDecision,
    FirstPurchaseOrder,
    approval_form,
    first_po_form,
)
from csflows.vetting.inquiries import Claim, InquiryRecord
from csflows.vetting.owner import rep_for, rep_of
from csflows.vetting.policy import approval_policy
from csflows.vetting.scorecard import approval_context, render_scorecard
from tasks.in_process import call_flow
from tasks.messaging import send_email_task
from tasks.run_labels import awaiting, label_current_run
from tasks.vetting import (
    assess,
    customer_time_zone,
    division_of,
    netsuite_customer_task,
    save_customer_task,
)
from tasks.vetting_gates import answer_info_request, submit_burst, wait_at_gate


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
def receive_inquiry(
    form: dict[str, Any], source: str, ticket_id: int | None, rep: str | None = None
) -> Claim:
    """Store the raw form before anything parses it; one vetting per inquiry, owned by a rep."""
    owner = rep_for(rep, ticket_id)
    return InquiryRecord.receive(
        form, _flow_run_id(), source, ticket_id, run_alive=_run_alive, rep=owner.key
    )


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


def run_label(inquiry_id: int, business_name: str, division: str | None) -> tuple[str, str]:
    """The vetting run's name, `vet-<business>-<inquiry id>`, and its division tag."""
    try:
        tag = f"division:{divisions().get(division or '').key}"
    except DivisionNotFound:
        tag = "division:unknown"
    return f"vet-{_slug(business_name)}-{inquiry_id}", tag


def name_run(inquiry_id: int, business_name: str, division: str | None) -> None:
    """Name and tag the run (`run_label`), so the UI says who and what."""
    name, tag = run_label(inquiry_id, business_name, division)
    label_current_run(name, [tag])


def assess_round(
    inquiry: InquiryRecord, round_: int, checks: Callable[..., Assessment] = assess
) -> tuple[Assessment, NewCustomerInquiry | None, bool]:
    """This round's assessment: from the store when it was made before, else made by `checks`
    (this run's tasks; a burst's: plain threads) and persisted.

    Returns the assessment, the parsed form (None when unreadable) and whether it is new."""
    form, problems = inquiry.parsed()
    known = inquiry.assessments.get(round_)
    if known is not None:
        return known, form, False
    if form is None:
        assessment = Assessment(recommendation=Recommendation.INCOMPLETE, missing_fields=problems)
    else:
        inquiry.save_form(form)
        assessment = checks(form, problems)  # the checks in this run, not a nested run
    inquiry.record_assessment(round_, assessment)
    return assessment, form, True


def key_unread_form(
    inquiry: InquiryRecord, round_: int, reading: FormReading, ticket_id: int | None
) -> None:
    """A form a machine could not read in full (a scan, a photo, a printed or a division's own
    form) is keyed by the inquiry's rep at `key-inquiry-form-<round>`, not sent back to the
    applicant; the keyed form then is the inquiry's form. Answered before: read back."""
    gate = f"{keying.GATE}-{round_}"
    unread = [] if inquiry.answered(gate) else keying.unread_fields(inquiry, reading)
    if not unread and not inquiry.answered(gate):
        return
    form = keying.keyed_form()
    if unread:
        rep = rep_of(inquiry.rep)
        link = flow_run_link(_flow_run_id())
        send_email_task(keying.rep_letter(inquiry.id, gate, reading, unread, rep, link))
        awaiting("rep")
    keyed = wait_at_gate(
        inquiry,
        gate,
        form,
        description=keying.describe(inquiry.id, reading, unread, ticket_id),
        **keying.prefilled(inquiry.raw),
    )
    keyed.record(inquiry, gate, reading)


def return_for_completion(
    inquiry: InquiryRecord, round_: int, assessment: Assessment
) -> VettingOutcome:
    """Seed 001: a form not completed in its entirety goes back to the applicant: by mail when
    it gives a usable email, else the rep who runs the inquiry is asked to send it back."""
    rep = rep_of(inquiry.rep)
    to = str(inquiry.raw.get("email") or "")
    missing = assessment.missing_fields
    returned_by = None
    if to and not any(m.field == "email" for m in missing):
        send_email_task(letters.incomplete(inquiry.id, round_, to, inquiry.raw, missing, rep))
        summary = "the form went back to the applicant"
    else:
        link = flow_run_link(_flow_run_id())
        send_email_task(letters.return_by_rep(inquiry.id, round_, inquiry.raw, missing, rep, link))
        get_run_logger().warning(
            "inquiry %s has no usable email: %s was asked to send the form back",
            inquiry.id,
            rep.email,
        )
        returned_by = str(rep.email)
        summary = (
            f"the form gives no usable email: {escape(rep.name)} ({rep.email}) was asked by "
            "mail to send it back to the applicant"
        )
    inquiry.return_for_completion(round_, missing)
    return outcome(inquiry, summary, returned_by=returned_by)


def outcome(inquiry: InquiryRecord, summary: str, **details: Any) -> VettingOutcome:
    """The vetting's result, for the run's page in the UI (an artifact) and its return value."""
    create_markdown_artifact(
        key=f"vetting-result-{inquiry.id}",
        markdown=f"# Inquiry {inquiry.id}: {inquiry.status.replace('_', ' ')}\n\n{summary}\n",
        description=f"Vetting result, inquiry {inquiry.id}",
    )
    return VettingOutcome(inquiry_id=inquiry.id, status=inquiry.status, **details)


def ask_supervisor(
    inquiry: InquiryRecord,
    round_: int,
    form: NewCustomerInquiry,
    assessment: Assessment,
    fresh: bool,
) -> None:
    """Publish the scorecard, email the supervisor the summary and the run's link."""
    if fresh or inquiry.status is InquiryStatus.RECEIVED:
        create_markdown_artifact(
            key=f"vetting-scorecard-{inquiry.id}",
            markdown=render_scorecard(inquiry.id, form, assessment, round_),
            description=f"Vetting scorecard, inquiry {inquiry.id}, round {round_}",
        )
    rules = approval_policy()
    link = flow_run_link(_flow_run_id())
    send_email_task(letters.supervisor_review(inquiry.id, round_, form, assessment, link, rules))
    inquiry.request_approval(round_, rules.supervisor_email, link, _flow_run_id())
    publish_pending_approvals()


def division_key(form: NewCustomerInquiry) -> str | None:
    division = division_of(form)
    return division.key if division else None


def approval_form_for(form: NewCustomerInquiry) -> type[ApprovalDecision]:
    """The approval gate's form: reviewers are the configured supervisors, sales agents the
    division's."""
    team = people()
    return approval_form(
        [p.name for p in team.with_role(Role.SUPERVISOR)],
        [a.name for a in team.agents_for(division_key(form))],
    )


def approval_prefill(form: NewCustomerInquiry, assessment: Assessment) -> dict[str, Any]:
    """The approval form's pre-filled answers: the sales agent next in rotation, and the
    decision when the checks approve or decline (left to choose when they want a person's
    review). Never the reviewer: whoever decides says so, so the audit trail names them."""
    wanted = {Recommendation.APPROVE: Approval.APPROVE, Recommendation.DECLINE: Approval.DECLINE}
    choice = wanted.get(assessment.recommendation)
    decision = {"decision": choice} if choice else {}
    return {"sales_agent": onboarding.next_sales_agent(division_key(form)), **decision}


def publish_pending_approvals() -> None:
    """The supervisor's queue as a keyed table artifact, updated whenever it changes."""
    rules = approval_policy()
    now = datetime.now(UTC)
    create_table_artifact(
        key="pending-approvals",
        table=[
            {
                "inquiry": w.inquiry_id,
                "business": escape(w.business_name),
                "round": w.round,
                "asked": f"{w.requested_at:%Y-%m-%d %H:%M} UTC",
                "business days waited": round(rules.waited_business_days(w.requested_at, now), 1),
                "run": flow_run_link(w.flow_run_id) if w.flow_run_id else "",
            }
            for w in InquiryRecord.awaiting_approval()
        ],
        description="New customer inquiries waiting for the supervisor's decision",
    )


def decline(
    inquiry: InquiryRecord, form: NewCustomerInquiry, assessment: Assessment, reviewer: str
) -> VettingOutcome:
    """The letter for the first failing criterion; the inquiry is closed."""
    send_email_task(
        letters.decline(inquiry.id, form, assessment, approval_policy(), rep_of(inquiry.rep))
    )
    inquiry.set_status(InquiryStatus.DECLINED)
    return outcome(inquiry, f"declined by {escape(reviewer)}")


def request_info(
    inquiry: InquiryRecord, round_: int, form: NewCustomerInquiry, question: str
) -> list[str]:
    """Ask the applicant what the supervisor wants to know; the fields their answer changed."""
    send_email_task(letters.request_info(inquiry.id, round_, form, question, rep_of(inquiry.rep)))
    inquiry.request_info(round_)
    awaiting("applicant")
    applicant = wait_at_gate(
        inquiry,
        f"answer-{round_}",
        ApplicantAnswer,
        description=answer_context(form, question),
    )
    return applicant.apply(inquiry, round_)


def answer_context(form: NewCustomerInquiry, question: str) -> str:
    """The applicant-answer gate: what to enter (only an answer that came another way) first,
    then the question that was asked."""
    return (
        "**Waiting for the applicant's answer**: it arrives here by itself when they re-submit "
        "the form. Enter it here only if they answered another way: the form fields their "
        f"answer changes.\n\nWe asked **{escape(form.business_name)}** ({escape(form.email)}):"
        f"\n\n> {escape(question)}"
    )


def first_po(inquiry: InquiryRecord, form: NewCustomerInquiry) -> FirstPurchaseOrder:
    """Seed 001: the approved applicant is told so and asked for the first PO."""
    send_email_task(letters.approved(inquiry.id, form, rep_of(inquiry.rep)))
    inquiry.await_first_po()
    awaiting("first-po")
    division = division_of(form)
    po = wait_at_gate(
        inquiry,
        "first-po",
        FirstPurchaseOrder,
        description=first_po_context(inquiry, form),
        form=first_po_form(division.minimums.order_amount if division else None),
    )
    po.record(inquiry, sender=form.email or "applicant")
    return po


def first_po_context(inquiry: InquiryRecord, form: NewCustomerInquiry) -> str:
    """What the first-PO gate shows: what to enter and when first, then who was approved, by
    whom and when, and what PO to expect."""
    approval = next((d for d in reversed(inquiry.decisions) if d.decision == "approve"), None)
    by = f" by {escape(approval.reviewer)} on {approval.decided_at:%Y-%m-%d}" if approval else ""
    lines = [
        f"**Waiting for the first purchase order of {escape(form.business_name)}**: a PO from "
        f"{escape(form.email)} answers here by itself. Enter its number and total here only if "
        "it came another way.",
        "",
        f"- {escape(form.business_name)} was approved{by}; the customer record is created when "
        "this PO arrives.",
    ]
    division = division_of(form)
    if division is not None and division.minimums.order_amount is not None:
        minimum = usd(division.minimums.order_amount)
        lines.append(f"- {escape(division.name)}'s minimum order is {minimum}.")
    return "\n".join(lines)


def create_customer(
    inquiry: InquiryRecord,
    form: NewCustomerInquiry,
    po: FirstPurchaseOrder,
    sales_agent: str | None = None,
) -> VettingOutcome:
    """Seed 001: the customer record, only now (approved, first PO received), with the sales
    agent the supervisor chose (else the division's next in rotation)."""
    agent = sales_agent or onboarding.next_sales_agent(division_key(form))
    customer = onboarding.new_customer(
        inquiry.id, form, approval_policy(), agent, customer_time_zone(form)
    )
    saved = save_customer_task(inquiry.id, customer, po.po_number, po.amount)
    netsuite_id = netsuite_customer_task(inquiry.id, saved)
    inquiry.record_customer(saved.id, netsuite_id, po.po_number, str(po.amount))
    where = f"store and NetSuite ({netsuite_id})" if netsuite_id else "store"
    return outcome(
        inquiry,
        f"customer {saved.id} created in the {where}, ready for retention",
        customer_id=saved.id,
        netsuite_id=netsuite_id,
    )


@flow(name="vet-new-customer", persist_result=True)
def vet_new_customer(
    form: dict[str, Any],
    source: str = "ui",
    ticket_id: int | None = None,
    rep: str | None = None,
    reading: FormReading | None = None,
) -> VettingOutcome:
    """Vet a returned New Customer Inquiry Form (seed 001), from the form to the customer record.
    `reading` says how `form` was read from a returned file; a machine reading with answers
    missing goes to the rep to key first."""
    logger = get_run_logger()
    claim = receive_inquiry(form, source, ticket_id, rep)
    if claim.action == "duplicate":
        logger.info(
            "inquiry %s is already %s (run %s): not vetted again",
            claim.inquiry_id,
            claim.status,
            claim.owner,
        )
        return VettingOutcome(
            inquiry_id=claim.inquiry_id, status=claim.status, duplicate_of=claim.owner
        )
    if claim.action == "answer":
        forward_answer(str(claim.owner), form)
        logger.info(
            "inquiry %s: the re-submitted form answers run %s", claim.inquiry_id, claim.owner
        )
        return VettingOutcome(
            inquiry_id=claim.inquiry_id,
            status=InquiryStatus.INFO_REQUESTED,
            answered=claim.owner,
        )
    inquiry = InquiryRecord.load(claim.inquiry_id)
    name_run(inquiry.id, str(form.get("business_name") or "unnamed"), form.get("division"))
    round_ = claim.round
    if reading is not None:
        key_unread_form(inquiry, round_, reading, ticket_id)
    while True:
        assessment, parsed, fresh = assess_round(inquiry, round_)
        if assessment.recommendation is Recommendation.INCOMPLETE or parsed is None:
            return return_for_completion(inquiry, round_, assessment)
        ask_supervisor(inquiry, round_, parsed, assessment, fresh)
        awaiting("supervisor")
        answer = wait_at_gate(
            inquiry,
            f"approval-{round_}",
            ApprovalDecision,
            form=approval_form_for(parsed),
            description=approval_context(inquiry.id, parsed, assessment, round_),
            **approval_prefill(parsed, assessment),
        )
        answer.record(inquiry, round_, assessment)
        publish_pending_approvals()
        if answer.decision is Approval.APPROVE:
            break
        if answer.decision is Approval.DECLINE:
            return decline(inquiry, parsed, assessment, answer.reviewer)
        changed = request_info(inquiry, round_, parsed, answer.note)
        logger.info("inquiry %s: the applicant changed %s; checking again", inquiry.id, changed)
        round_ += 1
    po = first_po(inquiry, parsed)
    return create_customer(inquiry, parsed, po, answer.sales_agent)


def finish_left_gates() -> str | None:
    """Inquiries a burst received whose run ended before creating their gate (a killed
    process): one vet-inquiry-burst run creates the missing gates, each once. Its id; None
    when nothing is left, or when no run can start (the next watch tries again)."""
    left = [i.id for i, _ in InquiryRecord.needing_gate() if not _run_alive(str(i.flow_run_id))]
    if not left:
        return None
    logger = get_run_logger()
    try:
        run_id, _ = submit_burst([])
    except CsflowsError as exc:
        logger.warning("inquiries %s still wait for their approval gate: %s", left, exc)
        return None
    logger.info("inquiries %s: burst run %s creates their approval gates", left, run_id)
    return run_id


@flow(name="watch-approvals")
def watch_approvals(now: datetime | None = None) -> list[ApprovalNudge]:
    """An unanswered approval is never a silent failure: a reminder to the supervisor first,
    then, after the configured business days, an escalation to the Customer Service Manager."""
    rules = approval_policy()
    now = now or datetime.now(UTC)
    finish_left_gates()
    publish_pending_approvals()
    sent = []
    for waiting in InquiryRecord.awaiting_approval():
        waited = rules.waited_business_days(waiting.requested_at, now)
        due = approval_actions_due(
            waited, rules.reminder_after_business_days, rules.approval_timeout_business_days
        )
        if not due:
            continue
        inquiry = InquiryRecord.load(waiting.inquiry_id)
        link = flow_run_link(waiting.flow_run_id) if waiting.flow_run_id else ""
        for action in due:
            email = letters.approval_nudge(
                action,
                waiting.inquiry_id,
                waiting.round,
                waiting.business_name,
                waited,
                link,
                rules,
            )
            delivery = send_email_task(email)
            recorded = inquiry.record_nudge(action, waiting.round, waited, email.to)
            if recorded or delivery.status == DeliveryStatus.SENT:
                sent.append(ApprovalNudge(inquiry_id=inquiry.id, action=action, to=email.to))
    return sent


@flow(name="assess-inquiry", log_prints=False, persist_result=False)
def assess_inquiry(
    form: NewCustomerInquiry, form_problems: list[MissingField] | None = None
) -> Assessment:
    """Complete form? then amazon, address, website, products and minimums concurrently. The
    assessment goes back to the caller (nothing reads it from Prefect's result storage)."""
    division = division_of(form)
    tags = [f"division:{division.key}"] if division else []
    label_current_run(f"assess-{(form.business_name or 'inquiry')[:60]}", tags)
    return assess(form, form_problems)


def run_assess_inquiry(
    form: NewCustomerInquiry, form_problems: list[MissingField] | None = None
) -> Assessment:
    """An assess-inquiry run for a caller that waits on it (`csflows vet --no-gate`); with no
    Prefect server configured, the flow's code with its tasks in this process."""
    with without_heartbeat():
        return call_flow(assess_inquiry, form, form_problems)


@contextmanager
def without_heartbeat() -> Iterator[None]:
    """Flow runs started inside send no heartbeats. The heartbeat thread sleeps in 1 s steps and
    a run's end waits for it (0-1 s); a run of seconds gains nothing from a beat every 3 minutes
    (beats tell a crashed long run from a live one). Only this context: other runs keep theirs."""
    current = get_settings_context()
    flows = current.settings.flows.model_copy(update={"heartbeat_frequency": None})
    quiet = current.settings.model_copy(update={"flows": flows})  # no re-read of env and profiles
    with SettingsContext(profile=current.profile, settings=quiet):
        yield
