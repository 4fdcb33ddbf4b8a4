"""Inbox triage (seed 004): every few minutes, each customer-service inbox's new messages become
tickets, typed, assigned, resolved when no response is needed, and routed to the procedure that
handles them: account requests get the inquiry form (seed 001), returned forms start vetting,
purchase orders go to the PO flow (seed 000), complaints from customers in the retention cadence
become negative feedback (seed 002)."""

from __future__ import annotations

from prefect import flow, get_run_logger
from prefect.artifacts import create_table_artifact
from pydantic import BaseModel

from csflows.errors import InboxUnavailable
from csflows.triage import intake
from csflows.triage import routing as triage
from csflows.triage.mailbox import MarkResult
from csflows.triage.route import TicketRoute
from tasks.triage import (
    mark_mailbox_task,
    netsuite_cases_task,
    poll_inbox_task,
    route_ticket_task,
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
    triaged: list[triage.TriagedTicket] = []
    previous: list[int] = []
    while (batch := triage.pending_ticket_ids(TRIAGE_BATCH)) and batch != previous:
        triaged += triage_tickets_task(batch)
        previous = batch

    # 3. Route: reply with the form, start vetting or the PO flow, record complaints.
    routes = triage.tickets_to_route()
    routing = [route_ticket_task.submit(ticket_id, route) for ticket_id, route in routes]
    for started in routing:
        started.wait()  # a route that failed is recorded on its ticket and tried next run
    routed = [started.result() for started in routing if started.state.is_completed()]

    # 4. Show it outside csflows: keywords in opted-in mailboxes, NetSuite cases; never fails
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
        table=triage.ticket_table(touched),
        description=f"Tickets triaged or routed this run: {len(touched)}",
    )
    summary = TriageSummary(
        stored=stored,
        duplicates=duplicates,
        triaged=len(triaged),
        needs_triage=sum(t.status == "needs_triage" for t in triaged),
        resolved=sum(t.status == "resolved" for t in triaged),
        routed=len(routes),
        routes=routed,
        marked=marked,
        cases=synced,
    )
    logger.info("triage: %s", summary.model_dump(exclude={"routes"}))
    if unreachable:
        raise InboxUnavailable(f"inboxes not polled: {', '.join(unreachable)}")
    return summary
