"""`csflows triage FILE.eml`: one message, as if it had come in through an inbox (a forwarded
mail, a script, a test): stored raw, typed, assigned, routed exactly like a polled one."""

from __future__ import annotations

from pathlib import Path

import typer

from cli.output import emit_json, fail
from csflows import store
from csflows.errors import CsflowsError
from csflows.models import TicketStatus
from csflows.triage import routing
from csflows.triage.mail import intake
from csflows.triage.ticket_types import Route


def triage_file(
    file: Path = typer.Argument(..., help="the message, RFC 5322 (.eml)"),
    inbox: str = typer.Option("cli", "--inbox", help="the inbox it counts as coming from"),
    as_json: bool = typer.Option(False, "--json", help="JSON for scripts"),
) -> None:
    """Triage one message: prints ticket_id, type, confidence, assignee, status, route."""
    from tasks.triage import route_ticket_task, start_review_task, tell_assignees_task

    try:
        raw = file.read_bytes()
    except OSError as exc:
        fail(f"{file}: {exc.strerror or exc}")
    store.upgrade()
    try:
        ticket_id = intake.store_message(inbox, raw)
        routing.triage_tickets([ticket_id])
    except CsflowsError as exc:
        fail(f"{file}: {exc}")
    row = routing.ticket_summary(ticket_id)
    route: dict[str, object] = {"route": Route.NONE.value}
    notes = []
    try:
        if row["status"] == TicketStatus.NEEDS_TRIAGE:
            route = {"route": "review", "flow_run_id": start_review_task.fn(ticket_id)}
        elif (kind := routing.route_of(ticket_id)) is not Route.NONE:
            route = route_ticket_task.fn(ticket_id, kind).model_dump(mode="json", exclude_none=True)
        tell_assignees_task.fn([ticket_id])
    except Exception as exc:  # noqa: BLE001 - the ticket is stored and typed; say what is left
        notes.append(f"{type(exc).__name__}: {exc}")
    result = {**row, "route": route} | ({"problems": notes} if notes else {})
    if as_json:
        emit_json(result)
        return
    typer.echo(
        f"ticket {result['ticket_id']}: {result['type']} ({result['confidence']}), "
        f"{result['assignee']}, {result['status']}; route {route.get('route')}"
    )
    for note in notes:
        typer.echo(f"warning: {note}", err=True)
