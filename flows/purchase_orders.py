"""Seed 000: answer a purchase order by the customer's level and the division they buy from.

Identify the sender and read the PO; a PO nobody can read goes to an operator, never a guess.
Level 4 in Craft & Hobby gets the minimums letter, in Floating Luxuries the website; COP and
Mercury & Seward apply the order minimums; a division with no Level 4 customers has a supervisor
look. Everyone else: below the division's minimum order, the minimums response; otherwise the
order is entered. An approved applicant's first PO resumes their vetting; an unknown sender's
PO goes to Customer Service. One response per PO number and customer, whatever re-runs.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from prefect import flow, get_run_logger
from prefect.artifacts import create_markdown_artifact
from prefect.flow_runs import suspend_flow_run
from prefect.input import RunInput
from pydantic import Field

from csflows import policy
from csflows.models.purchase_order import (
    PoAction,
    PoDecision,
    PoEmail,
    PoOutcome,
    PoReading,
    Sender,
    SenderKind,
)
from csflows.purchase_orders.action import decide
from csflows.purchase_orders.policy import po_policy
from csflows.purchase_orders.reading import canonical_po_number
from csflows.purchase_orders.report import artifact_key, escape, po_markdown
from csflows.purchase_orders.responses import response_email, with_values
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
from tasks.run_labels import current_run_id, label_current_run, running_as_deployment

OPERATOR_WAIT_SECONDS = 3 * 24 * 3600  # an operator has three days to read an unreadable PO


class PoReadByOperator(RunInput):
    """An operator reads the PO the flow could not: its number and total."""

    po_number: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9][A-Za-z0-9/-]*$")
    total: Decimal = Field(ge=0, max_digits=14, decimal_places=2)


@flow(name="handle-purchase-order", persist_result=True)
def handle_purchase_order(
    message: dict[str, Any] | None = None, ticket_id: int | None = None, dry_run: bool = False
) -> PoOutcome:
    """Respond to one purchase order as seed 000 says; `dry_run` sends and stores nothing."""
    email, ticket_id = receive_purchase_order(message, ticket_id, dry_run)
    sender = identify_sender(email)
    reading = read_po(email)
    if not reading.readable and sender.kind is not SenderKind.UNKNOWN:
        reading = ask_operator_to_read(reading, email, sender)

    division = policy.divisions().get(sender.division) if sender.division else None
    decision = with_values(decide(sender, reading, division), sender, reading, email)
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
    if decision.template and claimed.message_key:
        # the minimums letter, the website redirect, the minimums response, or CS for an unknown
        cs_address = str(po_policy().cs_address)
        send_email_task(
            response_email(decision, claimed.message_key, sender, email, cs_address, ticket_id)
        )
        mark_done(claimed)
    elif decision.action is PoAction.ACCEPT:
        assert sender.customer_id and reading.po_number and reading.total is not None
        outcome.order_id = enter_order(
            claimed, sender.customer_id, reading.po_number, reading.total
        )
    elif decision.action is PoAction.RESUME_VETTING:
        assert sender.inquiry_id and reading.po_number and reading.total is not None
        resume_vetting(claimed, sender.inquiry_id, reading.po_number, reading.total)
    else:  # supervisor_review: nothing is sent; the recorded action and the artifact ask for it
        get_run_logger().warning("PO %s: %s", reading.po_number, decision.reason)
        mark_done(claimed)
    return outcome


def ask_operator_to_read(reading: PoReading, email: PoEmail, sender: Sender) -> PoReading:
    """Suspend until an operator reads the PO in the UI; outside a deployment, leave it unread."""
    if not running_as_deployment():
        return reading
    problems = "; ".join(escape(p) for p in reading.problems)
    form = PoReadByOperator.with_initial_data(
        description=f"The PO from {escape(email.sender)} ({escape(sender.name)}) could not be "
        f"read: {problems}. Open the attachment and enter its PO number and total.",
        **{k: v for k, v in (("po_number", reading.po_number), ("total", reading.total)) if v},
    )
    answer = suspend_flow_run(wait_for_input=form, key="read-po", timeout=OPERATOR_WAIT_SECONDS)
    assert answer is not None
    return reading.model_copy(
        update={
            "po_number": canonical_po_number(answer.po_number),
            "total": answer.total,
            "problems": [],
            "source": "operator",
        }
    )


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
