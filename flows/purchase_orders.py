"""Seed 000: answer a purchase order by the customer's level and the division they buy from.

Identify the sender and read the PO; a PO nobody can read goes to an operator, never a guess.
Level 4 in Craft & Hobby gets the minimums letter once and each PO an answer (entered when it
meets the minimum order, else held), in Floating Luxuries the website; COP and Mercury & Seward
apply the order minimums, and while nobody has configured them a supervisor decides; a Level 4 in
a division with no Level 4 customers is a CRM error a supervisor decides on. Everyone else: below the division's minimum
order, the minimums response; otherwise the order is entered. An approved applicant's first PO
resumes their vetting; an unknown sender's PO goes to Customer Service. One response per PO
number and customer, whatever re-runs.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Literal

import pydantic
from prefect import flow, get_run_logger
from prefect.artifacts import create_markdown_artifact
from prefect.flow_runs import suspend_flow_run
from prefect.input import RunInput
from pydantic import Field

from csflows.divisions import divisions
from csflows.links import flow_run_link
from csflows.markdown import escape
from csflows.models.purchase_order import (
    PoAction,
    PoDecision,
    PoEmail,
    PoOutcome,
    PoReading,
    Sender,
    SenderKind,
)
from csflows.money import usd
from csflows.people import Role, people
from csflows.purchase_orders.action import decide
from csflows.purchase_orders.letters import announcement_email, response_email, with_values
from csflows.purchase_orders.policy import po_policy
from csflows.purchase_orders.reading import canonical_po_number
from csflows.purchase_orders.report import artifact_key, po_markdown
from csflows.run_inputs import Choice, with_context
from csflows.vetting.policy import approval_policy
from tasks.messaging import send_email_task
from tasks.purchase_orders import (
    enter_order,
    identify_sender,
    mark_done,
    read_po,
    receive_purchase_order,
    record_action,
    resume_vetting,
)
from tasks.run_labels import (
    awaiting,
    current_run_id,
    label_current_run,
    running_as_deployment,
)

DAY_SECONDS = 24 * 3600


class PoReadByOperator(RunInput):
    """An operator reads the PO the flow could not: its number and total."""

    po_number: str = Field(
        min_length=1,
        max_length=100,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9/-]*$",
        description="The number on the purchase order, e.g. 4512 or RR-9.",
    )
    total: Decimal = Field(
        ge=0,
        max_digits=14,
        decimal_places=2,
        description="The purchase order's total in US dollars, e.g. 1250.50 for $1,250.50.",
    )


class PoChoice(Choice):
    """What the supervisor decides on a PO, in words; `code` is what the PO's record keeps."""

    ENTER_ORDER = "enter the order"
    HANDLED_OUTSIDE = "I handle it myself"


class PoSupervisorDecision(RunInput):
    """A supervisor decides on a PO that the rules cannot answer (the description says why).
    The reviewer has no default: an answer that does not say who decides is refused."""

    decision: PoChoice = Field(
        description="enter the order: csflows enters the order as it stands. I handle it "
        "myself: you do (a minimums response, a fix to the customer record); csflows enters "
        "nothing and sends nothing."
    )
    reviewer: str = Field(min_length=1, max_length=100, description="Who decides, for the record.")
    note: str = Field("", max_length=2000, description="Why, for the PO's record (optional).")


@flow(name="handle-purchase-order", persist_result=True)
def handle_purchase_order(
    message: dict[str, Any] | None = None, ticket_id: int | None = None, dry_run: bool = False
) -> PoOutcome:
    """Respond to one purchase order as seed 000 says; `dry_run` sends and stores nothing."""
    received = receive_purchase_order(message, ticket_id, dry_run)
    email, ticket_id = received.email, received.ticket_id
    sender = identify_sender(email)
    reading = read_po(email)
    if not reading.readable and sender.kind is not SenderKind.UNKNOWN:
        reading = ask_operator_to_read(reading, email, sender)

    division = divisions().get(sender.division) if sender.division else None
    decision = with_values(decide(sender, reading, division), sender, reading, email, _link())
    label_current_run(_run_name(sender, reading), _tags(sender, decision))

    outcome = _outcome(sender, reading, decision, ticket_id, dry_run)
    if not dry_run and decision.action is not PoAction.NEEDS_OPERATOR:
        outcome = respond(email, sender, reading, decision, ticket_id)
    publish(outcome, sender, reading, email)
    return outcome


def respond(
    email: PoEmail, sender: Sender, reading: PoReading, decision: PoDecision, ticket_id: int | None
) -> PoOutcome:
    """Carry out the action recorded for this party and PO (the first run's, on a re-run)."""
    claimed = record_action(sender, reading, decision, ticket_id, current_run_id())
    decision = claimed.decision
    outcome = _outcome(sender, reading, decision, ticket_id, dry_run=False)
    outcome.message_key, outcome.order_id = claimed.message_key, claimed.order_id
    if claimed.done:
        return outcome
    if announcement := announcement_email(decision, sender, email):
        send_email_task(announcement)  # Craft & Hobby's Level-4 letter, once per customer
    if decision.template and claimed.message_key:
        # a Level-4 PO's answer (entered or held: the order is entered next, and a re-run of a
        # PO not done enters it), the website redirect, the minimums response; CS for an
        # unknown sender, the supervisor for a review
        send_email_task(
            response_email(
                decision, claimed.message_key, sender, email, _staff_address(decision), ticket_id
            )
        )
    enter = decision.enter_order
    if decision.action is PoAction.SUPERVISOR_REVIEW:
        get_run_logger().warning("PO %s: %s", reading.po_number, decision.reason)
        answer = ask_supervisor(decision, reading, email, sender)
        if answer is not None:
            enter = answer.decision is PoChoice.ENTER_ORDER
            outcome.reason += f". {answer.reviewer} decided: {answer.decision.code}" + (
                f" ({answer.note})" if answer.note else ""
            )
    if enter:
        assert sender.customer_id and reading.po_number and reading.total is not None
        outcome.order_id = enter_order(
            claimed, sender.customer_id, reading.po_number, reading.total
        )
    elif decision.action is PoAction.RESUME_VETTING:
        assert sender.inquiry_id and reading.po_number and reading.total is not None
        resume_vetting(claimed, sender.inquiry_id, reading.po_number, reading.total)
    else:
        mark_done(claimed)
    return outcome


def supervisor_form() -> type[PoSupervisorDecision]:
    """The decision form with the reviewer a dropdown of the configured supervisors."""
    reviewer: Any = Literal[tuple(p.name for p in people().with_role(Role.SUPERVISOR))]
    return pydantic.create_model(
        "PoSupervisorDecision",
        __base__=PoSupervisorDecision,
        reviewer=(reviewer, PoSupervisorDecision.model_fields["reviewer"]),
    )


def ask_supervisor(
    decision: PoDecision, reading: PoReading, email: PoEmail, sender: Sender
) -> PoSupervisorDecision | None:
    """Suspend until the supervisor decides in the UI (the mail links here); outside a
    deployment there is nothing to resume, so the mail alone asks them to handle it."""
    if not running_as_deployment():
        return None
    awaiting("supervisor")
    form = with_context(
        supervisor_form(),
        supervisor_context(decision, reading, email, sender),
        decision=PoChoice.HANDLED_OUTSIDE,
    )
    answer = suspend_flow_run(
        wait_for_input=form,
        key="po-supervisor",
        timeout=round(po_policy().supervisor_wait_days * DAY_SECONDS),
    )
    assert answer is not None
    return answer


def supervisor_context(
    decision: PoDecision, reading: PoReading, email: PoEmail, sender: Sender
) -> str:
    """The supervisor's gate: what to decide and why it needs them first, then the PO and the
    message it came in."""
    total = usd(reading.total) if reading.total is not None else "(no total)"
    return (
        "**Decide: enter the order, or handle it yourself.** Why it needs you: "
        f"{escape(decision.reason)}.\n\n"
        f"**{escape(sender.name or sender.email)}** "
        f"({escape(sender.customer_id or '')}, Level {sender.level}{_tier(sender)}) sent PO "
        f"**{escape(reading.po_number or '')}** for **{total}**.\n\n{_message_facts(email)}"
    )


def _message_facts(email: PoEmail) -> str:
    """Sender, subject and attachment names, as a gate's description shows them."""
    names = ", ".join(escape(a.filename) for a in email.attachments) or "none"
    return (
        f"- From: {escape(email.sender)}\n- Subject: {escape(email.subject)}\n"
        f"- Attachments: {names}"
    )


def _staff_address(decision: PoDecision) -> str:
    if decision.action is PoAction.SUPERVISOR_REVIEW:
        return str(approval_policy().supervisor_email)
    return str(po_policy().cs_address)


def _link() -> str:
    """This run's page, where a supervisor answers; empty outside a deployment."""
    run_id = current_run_id()
    return flow_run_link(run_id) if run_id and running_as_deployment() else ""


def ask_operator_to_read(reading: PoReading, email: PoEmail, sender: Sender) -> PoReading:
    """Suspend until an operator reads the PO in the UI; outside a deployment, leave it unread."""
    if not running_as_deployment():
        return reading
    awaiting("operator")
    form = with_context(
        PoReadByOperator,
        operator_context(reading, email, sender),
        **{k: v for k, v in (("po_number", reading.po_number), ("total", reading.total)) if v},
    )
    answer = suspend_flow_run(
        wait_for_input=form,
        key="read-po",
        timeout=round(po_policy().operator_wait_days * DAY_SECONDS),
    )
    assert answer is not None
    return reading.model_copy(
        update={
            "po_number": canonical_po_number(answer.po_number),
            "total": answer.total,
            "problems": [],
            "source": "operator",
        }
    )


def operator_context(reading: PoReading, email: PoEmail, sender: Sender) -> str:
    """The operator's gate: what to enter first, then why and the message to read it from."""
    problems = "; ".join(escape(p) for p in reading.problems)
    return (
        "**Enter the PO's number and total** as the message shows them (open it in the inbox, "
        f"or the ticket). A purchase order from **{escape(sender.name or sender.email)}**"
        f"{_tier(sender, ' (', ')')} could not be read: {problems}.\n\n{_message_facts(email)}"
    )


def _tier(sender: Sender, before: str = ", ", after: str = "") -> str:
    """The customer's service tier (seed 003) as a gate shows it; nothing for a sender who is
    not a known customer."""
    return f"{before}{escape(sender.tier)}{after}" if sender.tier else ""


def publish(outcome: PoOutcome, sender: Sender, reading: PoReading, email: PoEmail) -> None:
    """A markdown artifact per PO for operators (sender text escaped)."""
    if outcome.dry_run:
        return
    create_markdown_artifact(
        markdown=po_markdown(outcome, sender, reading, email.subject),
        key=artifact_key(outcome, sender),
        description=f"PO {outcome.po_number or '(not read)'}: {outcome.action.value}",
    )


def _outcome(
    sender: Sender, reading: PoReading, decision: PoDecision, ticket_id: int | None, dry_run: bool
) -> PoOutcome:
    return PoOutcome(
        customer_id=sender.customer_id,
        division=sender.division,
        level=sender.level,
        po_number=reading.po_number,
        total=reading.total,
        action=decision.action,
        reason=decision.reason,
        inquiry_id=sender.inquiry_id,
        ticket_id=ticket_id,
        flags=decision.flags,
        dry_run=dry_run,
    )


def _run_name(sender: Sender, reading: PoReading) -> str:
    who = sender.customer_id or (
        f"inquiry-{sender.inquiry_id}" if sender.inquiry_id else sender.kind.value
    )
    return f"po-{reading.po_number or 'unread'}-{who}"


def _tags(sender: Sender, decision: PoDecision) -> list[str]:
    tags = [f"po:{decision.action.value}"]
    return tags + ([f"division:{sender.division}"] if sender.division else [])
