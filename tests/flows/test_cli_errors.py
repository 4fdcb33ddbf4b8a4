"""The command line as a new user meets it when something is missing: one line on stderr that
says what happened, what was kept and what to do, the exit code of the error's branch, and no
traceback. These run the PO flow and start deployments, so they live with the session's harness
(whose Prefect server serves no deployment)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from cli import app
from csflows import store
from csflows.errors import EXIT_CODES, NotFound, Transient
from csflows.store.tables import MessageRow, TicketRow
from tasks.messaging import send_email_task
from tests.support.po_data import seed_customers
from tests.support.servers import SmtpServer, free_port
from tests.unit.test_cli_errors import UNCLEAR_MAIL, one_line

pytestmark = pytest.mark.integration


@pytest.fixture
def floating_luxuries_po(store_ready: Path, tmp_path: Path) -> Path:
    """A Level-4 Floating Luxuries customer's PO: seed 000 answers it with the website letter."""
    seed_customers()
    file = tmp_path / "po.json"
    file.write_text(
        json.dumps(
            {"from": "buy@sunnypools.example", "subject": "PO 55", "body": "PO 55\nTotal: $980.00"}
        )
    )
    return file


def test_po_with_no_mail_server_keeps_the_letter_and_the_rerun_sends_it_once(
    floating_luxuries_po: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the send task's four retries stay; their pauses are cut to a tenth of a second
    monkeypatch.setattr(send_email_task, "retry_delay_seconds", [0.1] * 4)
    monkeypatch.setenv("CSFLOWS_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("CSFLOWS_SMTP_PORT", str(free_port()))  # a real port, nothing listening
    monkeypatch.setenv("CSFLOWS_SMTP_STARTTLS", "false")

    down = CliRunner().invoke(app, ["po", str(floating_luxuries_po)])

    assert down.exit_code == EXIT_CODES[Transient]
    line = one_line(down)
    assert line.startswith("error: mail to buy@sunnypools.example not sent yet")
    assert "it waits in the outbox" in line and "repeated with the mail server up" in line
    with store.session() as s:
        [kept] = s.scalars(select(MessageRow)).all()
    assert (kept.recipient, kept.status) == ("buy@sunnypools.example", "failed")

    server = SmtpServer().start()
    try:
        for key, value in server.env().items():
            monkeypatch.setenv(key, value)
        up = CliRunner().invoke(app, ["po", str(floating_luxuries_po)])
        assert up.exit_code == 0, up.output
        assert len(server.to("buy@sunnypools.example")) == 1
    finally:
        server.stop()


def test_triage_without_the_review_deployment_says_the_ticket_waits_and_how_to_serve_it(
    store_ready: Path, tmp_path: Path
) -> None:
    unclear = tmp_path / "unclear.eml"
    unclear.write_bytes(UNCLEAR_MAIL)

    result = CliRunner().invoke(app, ["triage", str(unclear)])

    assert result.exit_code == EXIT_CODES[NotFound]
    assert result.stdout.startswith("ticket 1: ") and "needs_triage" in result.stdout
    line = one_line(result)
    assert line.startswith("error: the review-ticket/ticket-review deployment is not served at")
    assert "ticket 1 waits as needs_triage" in line
    assert "scripts/start, or `csflows serve` with PREFECT_API_URL set" in line
    with store.session() as s:
        ticket = s.get(TicketRow, 1)
        assert ticket is not None and (ticket.status, ticket.review_run_id) == (
            "needs_triage",
            None,
        )
