"""The review queue (seed 004): a ticket the classifier is unsure of, or a message it could not
read, goes to a person. Their Resume form offers every ticket type and every person; its
description shows the message and the classifier's three best guesses. The type is pre-selected
only when the best guess is at least `preselect_guess_from` sure (config/ticket_types.yaml);
below it the field starts empty and the server refuses the form until a person chooses. The
answer updates the ticket, routes it as if it had been typed so, and is kept as a labelled
example."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, Literal

import pydantic
from prefect.input import RunInput
from pydantic import Field
from sqlalchemy import select

from csflows import store
from csflows.errors import TicketNotFound
from csflows.markdown import escape_strict, literal
from csflows.models import TicketStatus
from csflows.models.common import Name, Paragraph
from csflows.people import people
from csflows.store.tables import TicketReviewRow, TicketRow
from csflows.tiers.policy import Tier
from csflows.tiers.service import address_of, first_in_queue, sender_tier, sender_tiers, tier_label
from csflows.triage.assignment import tier_assignee
from csflows.triage.notices import first_lines
from csflows.triage.policy import AutoResolve, Route, TicketTypes

FIRST_TAG = "first-in-queue"  # a review run of a customer whose tier stands first (seed 003)
REVIEW_LINES = 12  # of the message, in the review form's description
BY_TYPE = "whoever the type goes to"  # the assignee choice that follows the chosen type


class ReviewAction(StrEnum):
    ROUTE = "route as typed"  # what the type calls for: assign, resolve or route
    RESOLVE = "resolve"  # nothing to do (no response needed)
    REPLY = "needs a reply"  # stays open with the assignee


class TicketReview(RunInput):
    """What a person decides about an unsure or unreadable ticket."""

    type: str = Field(
        description="What the message is (seed 004's ticket types). Check the best guesses "
        "above: a guess is pre-selected only when the classifier was fairly sure."
    )
    assignee: str = Field(
        BY_TYPE,
        description=f"Who handles it; {BY_TYPE}: the assignee config/ticket_types.yaml gives "
        "the type you chose.",
    )
    action: ReviewAction = Field(
        ReviewAction.ROUTE,
        description="route as typed: what the type calls for (start vetting, the PO flow, a "
        "complaint's steps, or resolve when no response is needed). resolve: nothing to do. "
        "needs a reply: it stays open with the assignee.",
    )
    reviewer: Name = Field(description="Your name, for the record.")
    note: Paragraph = Field("", description="Why, for the ticket's record (optional).")


def review_form(policy: TicketTypes) -> type[TicketReview]:
    """The form with dropdowns: every ticket type, every person (and the Customer Service
    queue, and whoever the chosen type goes to), and the reviewers: the people of people.yaml."""
    team = people()
    names = [p.name for p in team.people]
    type_choice: Any = Literal[tuple(t.name for t in policy.types)]
    assignee_choice: Any = Literal[tuple([BY_TYPE, policy.default_assignee, *names])]
    reviewer_choice: Any = Literal[tuple(names)]
    fields = TicketReview.model_fields
    return pydantic.create_model(
        "TicketReview",
        __base__=TicketReview,
        type=(type_choice, fields["type"]),
        assignee=(assignee_choice, fields["assignee"]),
        reviewer=(reviewer_choice, fields["reviewer"]),
    )


def review_context(ticket: TicketRow, tier: Tier | None = None) -> str:
    """The Resume dialog's description: what to decide and why it needs a person (the
    classifier's three best guesses, or why the message could not be read) first; then sender
    (with the customer's service tier, when the sender is a known customer: `tier`), subject,
    attachments and the message's first lines."""
    parsed = ticket.parsed or {}
    lines = first_lines(ticket, REVIEW_LINES)
    attachments = [str(a.get("filename", "")) for a in parsed.get("attachments") or []]
    guesses = ticket.guesses or []
    out = ["**Type this ticket and choose who handles it**: the classifier was not sure.", ""]
    if ticket.parse_error:
        out[0] = "**Type this ticket and choose who handles it**: the message could not be read."
        out += [f"**Could not be read:** {escape_strict(ticket.parse_error)}", ""]
    if first_in_queue(tier):
        assert tier is not None
        out[0] += f" First in the queue: a customer of **{escape_strict(tier.name)}**."
    if guesses:  # on one line: the dialog shows only the description's first few lines at once
        shown = "; ".join(f"{escape_strict(t)} {float(p):.0%}" for t, p in guesses)
        out += [f"**The classifier's best guesses:** {shown}", ""]
    out += [
        f"**From:** {escape_strict(ticket.sender)}  ",
        *([f"**Service tier:** {escape_strict(tier_label(tier))}  "] if tier else []),
        f"**Subject:** {escape_strict(ticket.subject)}  ",
        f"**Inbox:** {escape_strict(ticket.inbox)}, ticket {ticket.id}  ",
        f"**Attachments:** {', '.join(literal(a) for a in attachments) or 'none'}",
        "",
    ]
    if lines:
        out += ["**The message begins:**", ""] + [f"> {escape_strict(line)}" for line in lines]
    return "\n".join(out)


def review_tags(tier: Tier | None) -> list[str]:
    """The review run's tags: the queue's, the customer's tier, and FIRST_TAG when it stands
    first (the Runs page filtered to it and Suspended lists exactly those)."""
    tags = ["ticket-review"]
    if tier is not None:
        tags.append(f"tier:{tier.key}")
    return tags + ([FIRST_TAG] if first_in_queue(tier) else [])


def sure(ticket: TicketRow, policy: TicketTypes) -> bool:
    """The classifier's best guess is sure enough to be pre-selected in the review form."""
    confidence = ticket.confidence or 0.0
    return bool(ticket.type) and confidence >= policy.preselect_guess_from


def suggested(ticket: TicketRow, policy: TicketTypes) -> dict[str, str]:
    """Pre-filled answers: the best guess when it is `sure` (a person still confirms); else
    none, so the form cannot be sent before a person chooses (the type has no default, and the
    server refuses a form without a required answer). The assignee follows the type chosen."""
    return {"type": str(ticket.type)} if sure(ticket, policy) else {}


def needing_review(limit: int = 200) -> list[int]:
    """Tickets people must type (unsure or unreadable) that have no review run yet: those of
    customers whose tier stands first (seed 003), then the others, oldest first."""
    query = (
        select(TicketRow.id, TicketRow.sender)
        .where(TicketRow.status == TicketStatus.NEEDS_TRIAGE, TicketRow.review_run_id.is_(None))
        .order_by(TicketRow.id)
    )
    with store.session() as s:
        waiting = s.execute(query).all()
    tiers = sender_tiers(sender for _, sender in waiting)
    first = [i for i, sender in waiting if first_in_queue(tiers.get(address_of(sender)))]
    ahead = set(first)
    return (first + [i for i, _ in waiting if i not in ahead])[:limit]


def record_review_run(ticket_id: int, flow_run_id: str) -> None:
    with store.session() as s:
        row = s.get(TicketRow, ticket_id)
        if row is not None:
            row.review_run_id = flow_run_id


def apply_review(ticket_id: int, answer: TicketReview, policy: TicketTypes) -> Route:
    """The ticket as the person typed it, once (a re-run reads the same answer), and the route
    to start: the type's when they chose "route as typed"."""
    kind = policy.get(answer.type)
    with store.session() as s:
        row = s.get(TicketRow, ticket_id)
        if row is None:
            raise TicketNotFound(f"ticket_id: no ticket {ticket_id} in the store")
        sender = row.sender
    assignee = answer.assignee
    if assignee == BY_TYPE:  # as triage would have assigned the type (seed 003's tiers too)
        assignee = tier_assignee(policy.assignee(answer.type), sender_tier(sender), policy)
    with store.session() as s:
        row = s.get(TicketRow, ticket_id)
        if row is None:
            raise TicketNotFound(f"ticket_id: no ticket {ticket_id} in the store")
        row.type, row.assignee = answer.type, assignee
        row.confidence = 1.0
        if answer.action is ReviewAction.RESOLVE:
            row.status = TicketStatus.RESOLVED
        elif answer.action is ReviewAction.REPLY:
            row.status = TicketStatus.OPEN
        else:
            resolves = kind.auto_resolve is AutoResolve.ALWAYS
            row.status = TicketStatus.RESOLVED if resolves else TicketStatus.OPEN
        if not s.scalar(select(TicketReviewRow.id).where(TicketReviewRow.ticket_id == ticket_id)):
            s.add(
                TicketReviewRow(
                    ticket_id=ticket_id,
                    type=answer.type,
                    assignee=assignee,
                    action=answer.action.value,
                    note=answer.note,
                    reviewer=answer.reviewer,
                    example=labelled_example(row, answer.type),
                )
            )
    return kind.route if answer.action is ReviewAction.ROUTE else Route.NONE


def labelled_example(row: TicketRow, label: str) -> dict[str, Any]:
    """The ticket as a training row (the shape of config/training/*.jsonl)."""
    parsed = row.parsed or {}
    return {
        "id": f"review-{row.id}",
        "type": label,
        "from": row.sender,
        "to": list(parsed.get("to") or []),
        "cc": list(parsed.get("cc") or []),
        "subject": row.subject,
        "body": str(parsed.get("text") or ""),
        "attachments": [str(a.get("filename", "")) for a in parsed.get("attachments") or []],
    }


def reviewed_examples(since: datetime | None = None) -> list[dict[str, Any]]:
    """Every review answer (given after `since`, when given) as a labelled example, oldest first
    (the next training set's)."""
    query = select(TicketReviewRow).order_by(TicketReviewRow.id)
    if since is not None:
        query = query.where(TicketReviewRow.reviewed_at > since)
    with store.session() as s:
        return [r.example for r in s.scalars(query)]
