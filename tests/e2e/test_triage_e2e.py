"""Seed 004 end to end: `csflows triage FILE.eml` against a real Prefect server and `csflows
serve`. A mail the classifier cannot place waits in a ticket-review run whose form offers every
ticket type; a person's answer types and routes it and becomes a labelled example. A request for
quote is assigned to Mary Callie, who receives one mail."""

from __future__ import annotations

import json
from email.message import EmailMessage
from pathlib import Path
from uuid import UUID

import pytest
from prefect.client.orchestration import get_client
from prefect.flow_runs import resume_flow_run
from prefect.input.run_input import keyset_from_paused_state
from sqlalchemy import select
from typer.testing import CliRunner

from cli import app
from csflows import store
from csflows.store.tables import TicketRow
from csflows.triage.policy import ticket_types
from csflows.triage.review import reviewed_examples
from tests.e2e.conftest import VettingStack
from tests.support.prefect_server import wait_for_deployment, wait_for_gate, wait_for_state

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

MARY = "mary.callie@advantus.example"


def _eml(tmp_path: Path, name: str, sender: str, subject: str, body: str) -> Path:
    message = EmailMessage()
    message["From"], message["To"] = sender, "cs@advantus.com"
    message["Subject"], message["Message-ID"] = subject, f"<{name}@shop.example>"
    message.set_content(body)
    path = tmp_path / f"{name}.eml"
    path.write_bytes(bytes(message))
    return path


def _triage(path: Path) -> dict:
    result = CliRunner().invoke(app, ["triage", str(path), "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_a_mail_nobody_can_place_waits_for_a_person_who_types_it(
    stack: VettingStack, tmp_path: Path
) -> None:
    wait_for_deployment("review-ticket/ticket-review")
    unclear = _eml(tmp_path, "unclear-1", "Kim <kim@newshop.example>", "hi", "see you then")
    shown = _triage(unclear)
    assert shown["status"] == "needs_triage" and shown["route"]["route"] == "review"
    run_id = UUID(shown["route"]["flow_run_id"])
    wait_for_gate(run_id, "review")
    with get_client(sync_client=True) as client:
        run = client.read_flow_run(run_id)
        keyset = keyset_from_paused_state(run.state)
        schema = json.loads(client.read_flow_run_input(run_id, keyset["schema"]))
        description = client.read_flow_run_input(run_id, keyset["description"])
    assert "ticket-review" in run.tags and "awaiting:cs" in run.tags
    offered = set(schema["properties"]["type"]["enum"])
    assert offered == {t.name for t in ticket_types().types}  # every ticket type
    shown_to_person = json.loads(description)  # markdown, the sender's text escaped
    assert "kim@newshop\\.example" in shown_to_person and "best guesses" in shown_to_person
    assert "> see you then" in shown_to_person

    resume_flow_run(
        run_id,
        run_input={
            "type": "QUOTE - Request for Quote",
            "assignee": "Mary Callie",
            "action": "route as typed",
            "reviewer": "Jordan Diaz",
            "note": "they want prices",
        },
    )
    wait_for_state(run_id, {"Completed"})
    with store.session() as s:
        ticket = s.scalar(select(TicketRow).where(TicketRow.id == shown["ticket_id"]))
        assert ticket is not None
        assert (ticket.type, ticket.assignee, ticket.status) == (
            "QUOTE - Request for Quote",
            "Mary Callie",
            "open",
        )
    # the person it was given to hears of it at once, not only in tomorrow's digest
    [told] = [m for m in stack.smtp.to(MARY) if f"Ticket {shown['ticket_id']} for you" in m.subject]
    assert "see you then" in told.text
    [example] = [e for e in reviewed_examples() if e["id"] == f"review-{shown['ticket_id']}"]
    assert (
        example["type"] == "QUOTE - Request for Quote" and example["body"].strip() == "see you then"
    )


def test_a_request_for_quote_goes_to_mary_callie_who_is_told_once(
    stack: VettingStack, tmp_path: Path
) -> None:
    rfq = _eml(
        tmp_path,
        "rfq-1",
        "Buyer <buyer@hobbyhaven.example>",
        "Request for quote: 500 scrapbook albums",
        "Please send pricing for 500 12x12 albums, delivery in March.",
    )
    first, again = _triage(rfq), _triage(rfq)
    assert first["ticket_id"] == again["ticket_id"]
    assert (first["type"], first["assignee"], first["status"]) == (
        "QUOTE - Request for Quote",
        "Mary Callie",
        "open",
    )
    [mail] = [m for m in stack.smtp.to(MARY) if f"Ticket {first['ticket_id']} " in m.subject]
    assert "Request for quote: 500 scrapbook albums" in mail.subject
    [attached] = list(mail.message.iter_attachments())
    assert attached.get_filename() == f"ticket-{first['ticket_id']}.eml"
