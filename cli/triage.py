"""`csflows triage FILE.eml`: one message, as if it had come in through an inbox (a forwarded
mail, a script, a test): stored raw, typed, assigned, routed exactly like a polled one."""

from __future__ import annotations

from pathlib import Path

import typer

from cli.output import emit_json
from csflows import store
from csflows.errors import CsflowsError, InputError
from csflows.models import TicketStatus
from csflows.triage.policy import Route


def triage_file(
    file: Path = typer.Argument(..., help="the message, RFC 5322 (.eml)"),
    inbox: str = typer.Option("cli", "--inbox", help="the inbox it counts as coming from"),
    as_json: bool = typer.Option(False, "--json", help="JSON for scripts"),
) -> None:
    """Triage one message: prints ticket_id, type, confidence, assignee, status, route."""
    from csflows.triage import routing  # the triage model: scikit-learn, seconds to import
    from csflows.triage.mail import intake
    from tasks.triage import route_and_record, start_review_task, tell_assignees_task

    try:
        raw = file.read_bytes()
    except OSError as exc:
        raise InputError(f"{file}: {exc.strerror or exc}") from exc
    store.upgrade()
    ticket_id = intake.store_message(inbox, raw)
    routing.triage_tickets([ticket_id])
    row = routing.ticket_summary(ticket_id)
    route: dict[str, object] = {"route": Route.NONE.value}
    unfinished: CsflowsError | None = None  # the ticket is stored and typed; this is what is left
    try:
        if row["status"] == TicketStatus.NEEDS_TRIAGE:
            route = {"route": "review", "flow_run_id": start_review_task.fn(ticket_id)}
        elif (kind := routing.route_of(ticket_id)) is not Route.NONE:
            routed, failure = route_and_record(ticket_id, kind)
            route = routed.model_dump(mode="json", exclude_none=True)
            if failure is not None:
                raise failure
        tell_assignees_task.fn([ticket_id])
    except CsflowsError as exc:
        unfinished = exc
    result = {**row, "route": route} | ({"problems": [str(unfinished)]} if unfinished else {})
    if as_json:
        emit_json(result)
    else:
        typer.echo(
            f"ticket {result['ticket_id']}: {result['type']} ({result['confidence']}), "
            f"{result['assignee']}, {result['status']}; route {route.get('route')}"
        )
    if unfinished is not None:
        raise unfinished  # the entry point says it in one line, with its exit code
