"""`csflows po FILE [--dry-run] [--json]`: handle one purchase order as seed 000 says.

FILE is an `.eml`, or JSON with `from`, `subject`, `body` and `attachments`; each attachment is
`{"path": "po.pdf"}` (relative to FILE) or `{"filename": "po.pdf", "content_base64": "..."}`.
Runs the `handle-purchase-order` flow in this process against the server at PREFECT_API_URL.
With none set, `--dry-run` runs the flow's code with its tasks in this process (it needs nothing
of a server), and a PO handled for real says it needs the server: its run and artifact live there.
"""

from __future__ import annotations

import json
from pathlib import Path

import typer

from cli.output import console_without_tracebacks, emit_json
from csflows import store
from csflows.errors import PoInputError
from csflows.models.purchase_order import PoEmail
from csflows.purchase_orders import inbound
from csflows.purchase_orders.records import store_inbound


def _read(file: Path) -> tuple[PoEmail, bytes | None]:
    """The PO email in FILE, and the raw bytes to keep when FILE is an `.eml`; PoInputError
    naming FILE and the problem."""
    try:
        return _parse(file)
    except PoInputError as exc:
        raise PoInputError(f"{file}: {exc}") from exc


def _parse(file: Path) -> tuple[PoEmail, bytes | None]:
    try:
        raw = file.read_bytes()
    except OSError as exc:
        raise PoInputError(f"cannot read the file: {exc.strerror}") from exc
    if file.suffix.lower() == ".eml":
        return inbound.from_eml(raw), raw
    try:
        document = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise PoInputError(f"not valid JSON ({exc}); give JSON or an .eml") from exc
    return inbound.from_json(document, base=file.parent), None


def po(
    file: Path = typer.Argument(
        ..., help="the PO email: .eml, or JSON (from, subject, body, attachments)"
    ),
    dry_run: bool = typer.Option(False, "--dry-run", help="decide only: send and store nothing"),
    as_json: bool = typer.Option(False, "--json", help="JSON for scripts"),
) -> None:
    """Handle a purchase order: Level-4 letters, order minimums, accept, or route it."""
    from flows.purchase_orders import handle_purchase_order
    from tasks.deployment_runs import needs_prefect_server, require_prefect_server
    from tasks.in_process import call_flow

    email, raw = _read(file)
    if dry_run:
        require_prefect_server()
    else:
        needs_prefect_server("handling a PO for real (its run and artifact live there)")
    store.upgrade()
    with console_without_tracebacks():
        if raw is not None and not dry_run:
            message_id = email.message_id or inbound.message_id_for(inbound.to_json(email))
            ticket_id = store_inbound(message_id, raw, email.sender, email.subject, inbox="cli")
            outcome = handle_purchase_order(ticket_id=ticket_id)
        else:
            outcome = call_flow(
                handle_purchase_order, message=inbound.to_json(email), dry_run=dry_run
            )
    if as_json:
        emit_json(outcome.summary())
        return
    typer.echo(
        f"PO {outcome.po_number or '(not read)'} from {email.sender}: {outcome.action.value}"
        f" - {outcome.reason}"
    )
