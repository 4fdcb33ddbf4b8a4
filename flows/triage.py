"""Inbox triage (seed 004): every few minutes, each customer-service inbox's new messages become
tickets, typed, assigned, resolved when no response is needed, and routed to the procedure that
handles them: account requests get the inquiry form (seed 001), returned forms start vetting
(those found in one run, one vet-inquiry-burst run: their gates need no process of their own),
purchase orders go to the PO flow (seed 000), complaints from customers in the retention cadence
become negative feedback (seed 002)."""

from __future__ import annotations

from datetime import date

from prefect import flow, get_run_logger
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.flow_runs import suspend_flow_run
from pydantic import BaseModel

from csflows.errors import InboxUnavailable, ModelRefused
from csflows.models import DeliveryStatus, TicketStatus
from csflows.triage import notices, review, routing
from csflows.triage.classifier import registry
from csflows.triage.classifier.current import typing_model
from csflows.triage.mail import intake
from csflows.triage.mirrors.mailbox import MarkResult
from csflows.triage.policy import Route, ticket_types
from csflows.triage.route import TicketRoute
from tasks.run_labels import awaiting, label_current_run
from tasks.triage import (
    REVIEW_GATE,
    REVIEW_WAIT,
    mark_mailbox_task,
    netsuite_cases_task,
    poll_inbox_task,
    review_gate_for,
    route_returned_forms_task,
    route_ticket_task,
    send_digests_task,
    start_review_task,
    tell_assignees_task,
    tell_sales_agents_task,
    train_candidate_task,
    triage_tickets_task,
)

TRIAGE_BATCH = 200


class TriageSummary(BaseModel):
    """What one run did: messages stored (and duplicates skipped), tickets triaged and how they
    ended, and the tickets routed with where each went."""

    stored: int
    duplicates: int
    triaged: int
    needs_triage: int
    resolved: int
    routed: int
    routes: list[TicketRoute] = []
    reviews_started: int = 0
    assignees_told: int = 0
    replies_to_agents: int = 0  # customers' replies to the retention cadence, to their agents
    marked: int = 0  # tickets whose message shows their triage in the mailbox
    cases: int = 0  # tickets upserted as NetSuite support cases


@flow(name="triage-inbox")
def triage_inbox(inboxes: list[str] | None = None) -> TriageSummary:
    """Poll, triage, route; an inbox that cannot be reached fails the run after the others;
    showing triage in the mailbox and NetSuite never does."""
    logger = get_run_logger()
    config = intake.inbox_list()
    names = inboxes or config.inboxes

    # 1. Store every new message raw, all inboxes at once.
    polls = {name: poll_inbox_task.submit(name, config.max_messages_per_run) for name in names}
    unreachable = []
    stored = duplicates = 0
    for name, future in polls.items():
        try:
            result = future.result()
        except Exception as exc:  # noqa: BLE001 - the other inboxes are still triaged
            logger.error("inbox %s not polled: %s: %s", name, type(exc).__name__, exc)
            unreachable.append(name)
            continue
        stored += len(result.stored)
        duplicates += result.duplicates

    # 2. Type, assign and auto-resolve what is stored and not triaged (this run's and any left).
    triaged: list[routing.TriagedTicket] = []
    previous: list[int] = []
    while (batch := routing.pending_ticket_ids(TRIAGE_BATCH)) and batch != previous:
        triaged += triage_tickets_task(batch)
        previous = batch

    # 3. Route: reply with the form, start vetting (the returned forms together) or the PO
    #    flow, record complaints.
    routes = routing.tickets_to_route()
    forms = [ticket_id for ticket_id, route in routes if route is Route.FORM_RETURNED]
    routing_runs = [
        route_ticket_task.submit(ticket_id, route)
        for ticket_id, route in routes
        if route is not Route.FORM_RETURNED
    ]
    together = [route_returned_forms_task.submit(forms)] if forms else []
    for started in [*routing_runs, *together]:
        started.wait()  # a route that failed is recorded on its ticket and tried next run
    routed = [started.result() for started in routing_runs if started.state.is_completed()]
    routed += [r for started in together if started.state.is_completed() for r in started.result()]

    # 4. People: what the classifier is unsure of goes to the review queue; assignees are told,
    #    and sales agents of their customers' replies to the retention cadence (seed 002).
    reviews = [start_review_task.submit(ticket_id) for ticket_id in review.needing_review()]
    for started in reviews:
        started.wait()  # no server to start it on: the ticket waits for the next run
    told = tell_assignees_task([t.id for t in triaged])
    to_agents = tell_sales_agents_task([t.id for t in triaged])
    create_table_artifact(
        key=notices.OPEN_TICKETS_ARTIFACT,
        table=notices.open_tickets_table(),
        description="Open tickets by assignee (and those waiting for a person to type them)",
    )

    # 5. Show it outside csflows: keywords in opted-in mailboxes, NetSuite cases; never fails
    #    the run (what is not shown now is shown next run).
    shown = [mark_mailbox_task.submit(name) for name in names if name not in unreachable]
    cases = netsuite_cases_task.submit()
    marked = synced = 0
    for done in [*shown, cases]:
        try:
            result = done.result()
        except Exception as exc:  # noqa: BLE001 - triage is done; shown next run
            logger.warning("triage not shown outside csflows: %s: %s", type(exc).__name__, exc)
            continue
        if isinstance(result, MarkResult):
            marked += len(result.marked)
        else:
            synced += len(result.upserted)

    touched = sorted({t.id for t in triaged} | {ticket_id for ticket_id, _ in routes})
    create_table_artifact(
        key="triage-inbox",
        table=routing.ticket_table(touched),
        description=f"Tickets triaged or routed this run: {len(touched)}",
    )
    summary = TriageSummary(
        stored=stored,
        duplicates=duplicates,
        triaged=len(triaged),
        needs_triage=sum(t.status == TicketStatus.NEEDS_TRIAGE for t in triaged),
        resolved=sum(t.status == TicketStatus.RESOLVED for t in triaged),
        routed=len(routes),
        routes=routed,
        reviews_started=sum(started.state.is_completed() for started in reviews),
        assignees_told=sum(status == DeliveryStatus.SENT for status in told),
        replies_to_agents=sum(status == DeliveryStatus.SENT for status in to_agents),
        marked=marked,
        cases=synced,
    )
    logger.info("triage: %s", summary.model_dump(exclude={"routes"}))
    if unreachable:
        raise InboxUnavailable(f"inboxes not polled: {', '.join(unreachable)}")
    return summary


@flow(name="review-ticket")
def review_ticket(ticket_id: int) -> TicketRoute:
    """A person types a ticket the classifier was unsure of (or could not read): the Resume
    form offers every ticket type and person and shows the message and the best guesses; the
    answer updates the ticket, routes it as typed, and is kept as a labelled example. Its run
    is usually created already waiting at the gate (start_review_task): then this runs only
    once the person answered, and the suspend below returns the answer."""
    form, tags = review_gate_for(ticket_id)
    label_current_run(f"review-ticket-{ticket_id}", tags)
    awaiting("cs")
    timeout = int(REVIEW_WAIT.total_seconds())
    answer = suspend_flow_run(wait_for_input=form, key=REVIEW_GATE, timeout=timeout)
    route = review.apply_review(ticket_id, answer, ticket_types())
    tell_assignees_task([ticket_id])  # typed by a person: its assignee hears of it now
    if route is Route.NONE:
        return TicketRoute(ticket_id=ticket_id, route=route)
    return route_ticket_task(ticket_id, route)


@flow(name="ticket-digest")
def ticket_digest(day: date | None = None) -> list[DeliveryStatus]:
    """Each working day, one mail per person listing their open tickets."""
    return send_digests_task(day or date.today())


class Retrained(BaseModel):
    """A retraining: the candidate, whether it replaced the current model, and why not."""

    candidate: str
    previous: str | None
    promoted: bool
    refused: str = ""


@flow(name="retrain-classifier")
def retrain_classifier() -> Retrained:
    """Weekly, and on demand: train on every writer's mail plus the team's review answers (one
    more writer, "team"), evaluate leave-one-writer-out (so on the team's own corrections too),
    and promote the new model only when it is not worse; an artifact compares old and new."""
    incumbent = typing_model().record  # the promoted model, else the shipped one
    previous = incumbent.get("version")
    candidate = train_candidate_task()
    try:
        registry.promote(candidate, shipped=incumbent, measured_against=previous)
        result = Retrained(candidate=candidate, previous=previous, promoted=True)
    except ModelRefused as exc:
        result = Retrained(candidate=candidate, previous=previous, promoted=False, refused=str(exc))
    create_markdown_artifact(
        key="triage-model",
        markdown=registry.comparison_markdown(candidate, incumbent, result.refused),
        description="The triage model: the candidate against the current one",
    )
    return result
