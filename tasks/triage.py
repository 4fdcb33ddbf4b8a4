"""Triage tasks: poll an inbox, triage the stored tickets in one batch, route one ticket, send a
ticket a person must type to the review queue, tell assignees and sales agents.

Side effects happen once by the store (cursor, Message-ID, idempotency keys), not a Prefect
cache. Thin: the rules live in csflows.triage.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta
from functools import partial
from uuid import UUID

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.client.orchestration import get_client

from blocks import ImapInbox, NetSuiteCredentials, SmtpServer, resolve
from csflows import store
from csflows.errors import TicketNotFound
from csflows.models import DeliveryStatus
from csflows.outbox import OutgoingEmail, send_email
from csflows.retention import replies
from csflows.run_inputs import with_context
from csflows.store.tables import TicketRow
from csflows.tiers.service import sender_tier
from csflows.triage import notices, review, routing
from csflows.triage.classifier import training
from csflows.triage.classifier.current import typing_model
from csflows.triage.mail import intake
from csflows.triage.mirrors import ledger, mailbox, support_cases
from csflows.triage.policy import Route, ticket_types
from csflows.triage.review import TicketReview
from csflows.triage.route import FLOW_OF_ROUTE, TicketRoute
from csflows.vetting.forms.returned import FormReading
from tasks.deployment_runs import prefect_errors, start_run
from tasks.suspended_gates import SuspendedGate, create_gate, deployment_id
from tasks.vetting_gates import BURST_DEPLOYMENT, submit_burst, ticket_run_key


@task(name="poll-inbox", task_run_name="poll {name}", cache_policy=NO_CACHE)
def poll_inbox_task(name: str, max_messages: int) -> intake.PollResult:
    """Store the inbox's new messages raw; a failure here loses nothing (the cursor waits)."""
    return intake.poll_inbox(name, ImapInbox.named(name), max_messages)


@task(name="triage-tickets", cache_policy=NO_CACHE)
def triage_tickets_task(ids: list[int]) -> list[routing.TriagedTicket]:
    return routing.triage_tickets(ids)


@task(name="mark-mailbox", task_run_name="mark {name}", cache_policy=NO_CACHE)
def mark_mailbox_task(name: str) -> mailbox.MarkResult:
    """Show triage on the inbox's messages (when it opted in); a failure is logged, never raised:
    triage is done, and the tickets not marked are marked next run."""
    result = mailbox.MarkResult(name)
    settings = intake.inbox_list().marking(name)
    if not settings.mark_in_mailbox:
        return result
    tickets = ledger.unmirrored(ledger.MAILBOX, [name])
    try:
        result = mailbox.mark_inbox(name, ImapInbox.named(name), settings, tickets)
    except Exception as exc:  # noqa: BLE001 - triage is done; the next run marks these
        get_run_logger().warning("inbox %s not marked: %s: %s", name, type(exc).__name__, exc)
        result.failed = {t.id: f"{type(exc).__name__}: {exc}" for t in tickets}
    for ticket_id, note in result.notes.items():
        get_run_logger().info("ticket %s in inbox %s: %s", ticket_id, name, note)
    return result


@task(name="netsuite-support-cases", cache_policy=NO_CACHE)
def netsuite_cases_task() -> support_cases.CaseSync:
    """Upsert changed tickets as NetSuite support cases when NetSuite is configured; a failure
    is logged on the ticket and retried next run, never fails triage."""
    credentials = resolve(NetSuiteCredentials)
    if not credentials.configured:
        return support_cases.CaseSync()
    tickets = ledger.unmirrored(ledger.NETSUITE)
    synced = support_cases.sync_cases(credentials, tickets, support_cases.mapping())
    for ticket_id, error in synced.failed.items():
        get_run_logger().warning("ticket %s not in NetSuite yet: %s", ticket_id, error)
    return synced


@task(
    name="route-ticket", task_run_name="route ticket {ticket_id} ({route})", cache_policy=NO_CACHE
)
def route_ticket_task(ticket_id: int, route: Route) -> TicketRoute:
    """Start what the ticket's type calls for; an error is recorded and retried next run."""
    return route_and_record(ticket_id, route)[0]


def route_and_record(
    ticket_id: int, route: Route, how: Callable[[], TicketRoute] | None = None
) -> tuple[TicketRoute, Exception | None]:
    """The ticket routed (by `how`, else as its route says), and kept on it; when that failed,
    the ticket stays open and says why, and the exception comes back too (for `csflows triage`
    to report)."""
    failure: Exception | None = None
    try:
        routed = how() if how is not None else _route(ticket_id, route)
    except Exception as exc:  # noqa: BLE001 - the ticket stays open and says why
        failure, routed = exc, _failed(ticket_id, route, exc)
    routing.record_route(routed)
    return routed, failure


def _failed(ticket_id: int, route: Route, exc: Exception) -> TicketRoute:
    """A route that failed, as the ticket keeps it (routed again next run)."""
    return TicketRoute(ticket_id=ticket_id, route=route, error=f"{exc.__class__.__name__}: {exc}")


def _route(ticket_id: int, route: Route) -> TicketRoute:
    routed = TicketRoute(ticket_id=ticket_id, route=route)
    if route is Route.ACCOUNT_REQUEST:
        delivery = send_email(routing.account_request_reply(ticket_id), resolve(SmtpServer))
        return routed.model_copy(update={"reply": delivery.status})
    if route is Route.FORM_RETURNED:
        return _vet_alone(ticket_id, *routing.returned_form_from_ticket(ticket_id))
    if route is Route.PURCHASE_ORDER:
        ticket, _ = routing.load_ticket(ticket_id)
        inquiry = routing.applicant_awaiting_first_po(ticket.sender)
        run_id = _start(route, {"ticket_id": ticket_id}, ticket_id)
        return routed.model_copy(update={"flow_run_id": run_id, "inquiry_id": inquiry})
    if route is Route.COMPLAINT:
        ticket, _ = routing.load_ticket(ticket_id)
        customer_id = routing.customer_in_cadence(ticket.sender)
        if customer_id is None:
            return routed
        feedback_id = routing.record_complaint(ticket_id, customer_id, ticket.subject)
        return routed.model_copy(update={"customer_id": customer_id, "feedback_id": feedback_id})
    return routed


def _vet_alone(ticket_id: int, form: dict[str, object], reading: FormReading | None) -> TicketRoute:
    """A returned form's own vet-new-customer run, with how a machine read it (a person keys
    what it could not read first)."""
    params: dict[str, object] = {"form": form, "source": "email", "ticket_id": ticket_id}
    if reading is not None and reading.by_machine:
        params["reading"] = reading.model_dump(mode="json")
    run_id = _start(Route.FORM_RETURNED, params, ticket_id)
    return TicketRoute(ticket_id=ticket_id, route=Route.FORM_RETURNED, flow_run_id=run_id)


def _start(route: Route, parameters: dict[str, object], ticket_id: int) -> UUID:
    """A run of the route's deployment, once per ticket (the idempotency key survives re-runs)."""
    flow_name = FLOW_OF_ROUTE[route]
    deployment = f"{flow_name}/{flow_name}"
    return start_run(
        deployment,
        parameters,
        kept=f"ticket {ticket_id} stays open and the next triage-inbox run routes it",
        idempotency_key=ticket_run_key(ticket_id, deployment),
    )


@task(name="route-returned-forms", cache_policy=NO_CACHE)
def route_returned_forms_task(ticket_ids: list[int]) -> list[TicketRoute]:
    """The returned forms one triage run found: those `routing.forms_checked_together` picks
    are checked in one vet-inquiry-burst run (each inquiry still waits at its gate in a vetting
    run of its own, created without a process); each other one starts its own run as before."""
    routed: list[TicketRoute] = []
    readings: dict[int, tuple[dict[str, object], FormReading | None]] = {}
    for ticket_id in ticket_ids:
        try:
            readings[ticket_id] = routing.returned_form_from_ticket(ticket_id)
        except Exception as exc:  # noqa: BLE001 - the ticket stays open and says why
            routed.append(_failed(ticket_id, Route.FORM_RETURNED, exc))
            routing.record_route(routed[-1])
    together = routing.forms_checked_together({t: r for t, (_, r) in readings.items()})
    for ticket_id, (form, reading) in readings.items():
        if ticket_id not in together:
            vet = partial(_vet_alone, ticket_id, form, reading)
            routed.append(route_and_record(ticket_id, Route.FORM_RETURNED, vet)[0])
    return routed + _vet_together({t: readings[t][0] for t in together})


def _vet_together(forms: dict[int, dict[str, object]]) -> list[TicketRoute]:
    """One vet-inquiry-burst run for the tickets' forms (the same tickets start it once), kept
    on each ticket as where it went."""
    if not forms:
        return []
    tickets = list(forms)

    def burst() -> TicketRoute:
        run_id, _ = submit_burst(list(forms.values()), source="email", ticket_ids=tickets)
        flow_name = BURST_DEPLOYMENT.partition("/")[0]
        return TicketRoute(
            ticket_id=tickets[0], route=Route.FORM_RETURNED, flow_run_id=run_id, flow=flow_name
        )

    first, _ = route_and_record(tickets[0], Route.FORM_RETURNED, burst)
    routed = [first]
    for ticket_id in tickets[1:]:
        same = first.model_copy(update={"ticket_id": ticket_id})
        routing.record_route(same)
        routed.append(same)
    return routed


REVIEW_DEPLOYMENT = "review-ticket/ticket-review"
REVIEW_GATE = "review"  # the review-ticket flow's suspend key
REVIEW_WAIT = timedelta(days=14)  # then the review run fails, and the ticket stays needs_triage
AWAITING_CS = "awaiting:cs"  # the review queue: the Runs page filtered to CS


def review_gate_for(ticket_id: int) -> tuple[type[TicketReview], list[str]]:
    """The review gate's Resume form (every ticket type and person, the message, the best
    guesses and the customer's service tier) and the run's own tags (the queue's, the tier's,
    first-in-queue for the top tier; `awaiting:cs` comes with the suspension). TicketNotFound
    when the store has no such ticket."""
    policy = ticket_types()
    with store.session() as s:
        ticket = s.get(TicketRow, ticket_id)
        if ticket is None:
            raise TicketNotFound(f"ticket_id: no ticket {ticket_id} in the store")
        s.expunge(ticket)
    tier = sender_tier(ticket.sender)  # seed 003: the customer's tier shows where CS works
    form = with_context(
        review.review_form(policy),
        review.review_context(ticket, tier),
        **review.suggested(ticket, policy),
    )
    return form, review.review_tags(tier)


@task(name="start-ticket-review", task_run_name="review ticket {ticket_id}", cache_policy=NO_CACHE)
def start_review_task(ticket_id: int) -> str:
    """A ticket-review run for a ticket people must type, once per ticket, created already
    waiting at its review gate: no process runs until a person answers (review-ticket does
    nothing before its gate but build the same form, so it finds the answer on resume)."""
    form, tags = review_gate_for(ticket_id)
    gate = SuspendedGate(
        key=REVIEW_GATE,
        form=form,
        parameters={"ticket_id": ticket_id},
        name=f"review-ticket-{ticket_id}",
        tags=[*tags, AWAITING_CS],
        idempotency_key=f"ticket:{ticket_id}:review",
        timeout=REVIEW_WAIT,
    )
    kept = (
        f"ticket {ticket_id} waits as needs_triage, and the next triage-inbox run starts its review"
    )
    with prefect_errors(REVIEW_DEPLOYMENT, kept), get_client(sync_client=True) as client:
        run_id = create_gate(client, deployment_id(client, REVIEW_DEPLOYMENT), gate)
    review.record_review_run(ticket_id, str(run_id))
    return str(run_id)


def _send_all(emails: Iterable[OutgoingEmail]) -> list[DeliveryStatus]:
    """Send each once by its key; each one's status (sent, already_sent)."""
    mail = resolve(SmtpServer)
    return [send_email(email, mail).status for email in emails]


@task(name="tell-assignees", cache_policy=NO_CACHE)
def tell_assignees_task(ticket_ids: list[int]) -> list[DeliveryStatus]:
    """Each open ticket assigned to a person is mailed to them once (the original attached)."""
    return _send_all(notices.assignment_mails(ticket_ids))


@task(name="tell-sales-agents", cache_policy=NO_CACHE)
def tell_sales_agents_task(ticket_ids: list[int]) -> list[DeliveryStatus]:
    """A customer's reply to a retention-cadence message goes to their sales agent as well as
    being a ticket (seed 002: the check-in tells them their agent reads it); once per ticket."""
    return _send_all(replies.agent_mails(ticket_ids))


@task(name="send-ticket-digests", cache_policy=NO_CACHE)
def send_digests_task(day: date) -> list[DeliveryStatus]:
    """One digest of their open tickets per person, per working day."""
    return _send_all(notices.digests(day))


@task(name="train-triage-model", cache_policy=NO_CACHE)
def train_candidate_task() -> str:
    """A candidate model from every writer's mail and the team's review answers, evaluated on
    the writers left out in turn and on the answers given since the model typing tickets now was
    trained (all of them, while the shipped model types); its version."""
    incumbent = typing_model()
    shipped = str(incumbent.record.get("version", "")).startswith("shipped-")
    since = None if shipped else datetime.fromisoformat(incumbent.record["created_at"])
    policy = ticket_types()  # the team's answers are the team's mail: read in its world
    team, recent = (
        [
            training.example_from_row(row, training.TEAM, policy)
            for row in review.reviewed_examples(after)
        ]
        for after in (None, since)
    )
    answers = training.TeamAnswers(team, recent, incumbent)
    return training.train_and_store(training.load_writers(), policy, answers=answers)
