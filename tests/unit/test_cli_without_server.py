"""With no Prefect server configured (no PREFECT_API_URL), `csflows po --dry-run`, `csflows
triage` and `csflows vet --no-gate` answer from this process: none starts a temporary Prefect
server (15 s to minutes) or asks the Prefect API. What does need the server says so in one line."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from prefect.server.api.server import SubprocessASGIServer
from prefect.settings import (
    PREFECT_API_URL,
    PREFECT_SERVER_EPHEMERAL_ENABLED,
    temporary_settings,
)
from typer.testing import CliRunner

from cli import app
from csflows.errors import EXIT_CODES, ConfigError
from csflows.models import CRITERIA
from tests.support.inquiries import applicant_online, form_data
from tests.support.po_data import seed_customers
from tests.support.servers import HttpServer
from tests.unit.test_cli_errors import UNCLEAR_MAIL, one_line

NEEDS_SERVER = "start it with scripts/start, or point PREFECT_API_URL at a server that runs"


@pytest.fixture
def servers_started(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """A user's setting: no PREFECT_API_URL, so Prefect would start a temporary server for the
    first call that needs its API (here refused, and noted), and blocks are looked up."""
    started: list[str] = []

    def start(server: SubprocessASGIServer, *args: Any, **kwargs: Any) -> None:
        started.append(f"a temporary Prefect server on port {server.port}")
        raise AssertionError("a temporary Prefect server was started")

    monkeypatch.setattr(SubprocessASGIServer, "start", start)
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    monkeypatch.delenv("CSFLOWS_SKIP_BLOCK_LOOKUP", raising=False)
    with temporary_settings(
        updates={PREFECT_SERVER_EPHEMERAL_ENABLED: True}, restore_defaults={PREFECT_API_URL}
    ):
        yield started


def test_po_dry_run_decides_without_a_prefect_server(
    servers_started: list[str], store_ready: Path, tmp_path: Path
) -> None:
    seed_customers()
    po = tmp_path / "po.json"
    po.write_text(
        json.dumps(
            {"from": "buy@sunnypools.example", "subject": "PO 55", "body": "PO 55\nTotal: $980.00"}
        )
    )

    result = CliRunner().invoke(app, ["po", str(po), "--dry-run", "--json"])

    assert result.exit_code == 0, result.output
    outcome = json.loads(result.stdout)
    assert (outcome["customer_id"], outcome["po_number"]) == ("C-1004", "55")
    assert outcome["action"] == "redirect_to_website"
    assert servers_started == []


def test_po_for_real_says_in_one_line_that_it_needs_the_prefect_server(
    servers_started: list[str], store_ready: Path, tmp_path: Path
) -> None:
    po = tmp_path / "po.json"
    po.write_text(json.dumps({"from": "a@b.example", "subject": "PO 1", "body": "PO 1"}))

    result = CliRunner().invoke(app, ["po", str(po)])

    assert result.exit_code == EXIT_CODES[ConfigError]
    line = one_line(result)
    assert line.startswith("error: PREFECT_API_URL is not set: handling a PO for real")
    assert line.endswith(NEEDS_SERVER)
    assert servers_started == []


def test_triage_types_and_assigns_a_message_without_a_prefect_server(
    servers_started: list[str], store_ready: Path, tmp_path: Path
) -> None:
    mail = tmp_path / "where.eml"
    mail.write_bytes(
        b"From: Kim <kim@newshop.example>\r\nTo: cs@advantus.com\r\n"
        b"Subject: Where is my order?\r\nMessage-ID: <where-cli@shop.example>\r\n\r\n"
        b"Hi, where is my order 4512? It was due last week.\r\n"
    )

    result = CliRunner().invoke(app, ["triage", str(mail), "--json"])

    assert result.exit_code == 0, result.output
    ticket = json.loads(result.stdout)
    assert ticket["ticket_id"] == 1 and ticket["status"] == "open"
    assert ticket["route"] == {"route": "none"}
    assert servers_started == []


def test_triage_of_a_ticket_for_review_says_the_review_needs_the_prefect_server(
    servers_started: list[str], store_ready: Path, tmp_path: Path
) -> None:
    unclear = tmp_path / "unclear.eml"
    unclear.write_bytes(UNCLEAR_MAIL)

    result = CliRunner().invoke(app, ["triage", str(unclear)])

    assert result.exit_code == EXIT_CODES[ConfigError]
    assert result.stdout.startswith("ticket 1: ") and "needs_triage" in result.stdout
    line = one_line(result)
    assert line.startswith("error: PREFECT_API_URL is not set, so nothing can start review-ticket")
    assert "ticket 1 waits as needs_triage" in line and line.endswith(NEEDS_SERVER)
    assert servers_started == []


@pytest.fixture
def applicant_world(
    http_server: HttpServer, monkeypatch: pytest.MonkeyPatch
) -> Iterator[dict[str, Any]]:
    """Google, RDAP and the applicant's site on local servers; the form's data."""
    with applicant_online(http_server, monkeypatch) as url:
        yield form_data(website=url)


def test_vet_no_gate_runs_every_check_without_a_prefect_server(
    servers_started: list[str], applicant_world: dict[str, Any], tmp_path: Path
) -> None:
    form = tmp_path / "form.json"
    form.write_text(json.dumps(applicant_world))

    result = CliRunner().invoke(app, ["vet", str(form), "--no-gate", "--json"])

    assert result.exit_code == 0, result.output
    assessment = json.loads(result.stdout)
    verdicts = {name: check["verdict"] for name, check in assessment["criteria"].items()}
    assert verdicts == dict.fromkeys(CRITERIA, "pass")
    assert assessment["recommendation"] == "approve"
    assert servers_started == []
