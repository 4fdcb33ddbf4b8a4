"""Triage tasks: poll an inbox, triage the stored tickets in one batch, route one ticket.

Side effects happen once by the store (cursor, Message-ID, idempotency keys), not a Prefect
cache. Thin: the rules live in csflows.triage.intake, csflows.triage.routing and csflows.rules.
"""

from __future__ import annotations

from uuid import UUID

from prefect import task
from prefect.cache_policies import NO_CACHE
from prefect.deployments import run_deployment

from blocks import ImapInbox, SmtpServer, resolve
from csflows.outbox import send_email
from csflows.triage import intake
from csflows.triage import routing as triage
from csflows.triage.route import FLOW_OF_ROUTE, TicketRoute
from csflows.triage.ticket_types import Route


@task(name="poll-inbox", task_run_name="poll {name}", cache_policy=NO_CACHE)
def poll_inbox_task(name: str, max_messages: int) -> intake.PollResult:
    """Store the inbox's new messages raw; a failure here loses nothing (the cursor waits)."""
    return intake.poll_inbox(name, ImapInbox.named(name), max_messages)


@task(name="triage-tickets", cache_policy=NO_CACHE)
def triage_tickets_task(ids: list[int]) -> list[triage.TriagedTicket]:
    return triage.triage_tickets(ids)


@task(
    name="route-ticket", task_run_name="route ticket {ticket_id} ({route})", cache_policy=NO_CACHE
)
def route_ticket_task(ticket_id: int, route: Route) -> TicketRoute:
    """Start what the ticket's type calls for; an error is recorded and retried next run."""
    try:
        routed = _route(ticket_id, route)
    except Exception as exc:  # noqa: BLE001 - the ticket stays open and says why
        routed = TicketRoute(
            ticket_id=ticket_id, route=route, error=f"{exc.__class__.__name__}: {exc}"
        )
    triage.record_route(routed)
    return routed


def _route(ticket_id: int, route: Route) -> TicketRoute:
    routed = TicketRoute(ticket_id=ticket_id, route=route)
    if route is Route.ACCOUNT_REQUEST:
        delivery = send_email(triage.account_request_reply(ticket_id), resolve(SmtpServer))
        return routed.model_copy(update={"reply": delivery.status})
    if route is Route.FORM_RETURNED:
        form, reading = triage.returned_form_from_ticket(ticket_id)
        params: dict[str, object] = {"form": form, "source": "email", "ticket_id": ticket_id}
        if reading is not None and reading.by_machine:
            params["reading"] = reading.model_dump(mode="json")
        return routed.model_copy(update={"flow_run_id": _start(route, params, ticket_id)})
    if route is Route.PURCHASE_ORDER:
        ticket, _ = triage.load_ticket(ticket_id)
        inquiry = triage.applicant_awaiting_first_po(ticket.sender)
        run_id = _start(route, {"ticket_id": ticket_id}, ticket_id)
        return routed.model_copy(update={"flow_run_id": run_id, "inquiry_id": inquiry})
    if route is Route.COMPLAINT:
        ticket, _ = triage.load_ticket(ticket_id)
        customer_id = triage.customer_in_cadence(ticket.sender)
        if customer_id is None:
            return routed
        feedback_id = triage.record_complaint(ticket_id, customer_id, ticket.subject)
        return routed.model_copy(update={"customer_id": customer_id, "feedback_id": feedback_id})
    return routed


def _start(route: Route, parameters: dict[str, object], ticket_id: int) -> UUID:
    """A run of the route's deployment, once per ticket (the idempotency key survives re-runs)."""
    flow_name = FLOW_OF_ROUTE[route]
    deployment = f"{flow_name}/{flow_name}"
    run = run_deployment(
        deployment,
        parameters=parameters,
        timeout=0,
        idempotency_key=f"ticket:{ticket_id}:{deployment}",
    )
    return run.id
