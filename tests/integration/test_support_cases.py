"""Tickets as NetSuite support cases against the local SuiteTalk stand-in (token-based
authentication checked as NetSuite does): one case per ticket however often it runs, fields as
config/support_cases.yaml maps them, a 5xx retried, a 4xx named with NetSuite's own words."""

from __future__ import annotations

from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

from blocks import NetSuiteCredentials, resolve
from csflows import store
from csflows.errors import ApiError
from csflows.store.tables import TicketRow
from csflows.triage import routing as triage
from csflows.triage.mail.intake import store_raw
from csflows.triage.mirrors import ledger, support_cases
from tasks.triage import netsuite_cases_task
from tests.support.servers import HttpServer, Reply
from tests.support.suitetalk import netsuite_settings, suitetalk

pytestmark = pytest.mark.integration

CASES = "/services/rest/record/v1/supportCase/"
RULES = support_cases.SupportCaseMapping(
    status={"open": "2", "resolved": "5", "needs_triage": "1"},
    type_field="custevent_csflows_ticket_type",
    assignee_field="custevent_csflows_assignee",
    category={"QUOTE - Request for Quote": "7"},
    assigned={"Mary Callie": "42"},
    incoming_message_lines=2,
)


@pytest.fixture
def cases(
    http_server: HttpServer, monkeypatch: pytest.MonkeyPatch
) -> tuple[dict[str, dict[str, Any]], list[Reply]]:
    records: dict[str, dict[str, Any]] = {}
    faults: list[Reply] = []
    suitetalk(http_server, records, "supportCase", faults)
    for key, value in netsuite_settings(http_server).items():
        monkeypatch.setenv(f"CSFLOWS_NETSUITE_{key}", value)
    return records, faults


def _ticket(n: int, type_name: str, assignee: str, status: str = "open") -> int:
    msg = EmailMessage()
    msg["From"] = "Ana Ruiz <ana@paperlanterncrafts.com>"
    msg["To"] = "cs@advantus.com"
    msg["Subject"] = f"Quote for 500 lanterns ({n})"
    msg["Message-ID"] = f"<case-{n}@paperlanterncrafts.com>"
    msg.set_content("Hello,\n\nPlease quote 500 paper lanterns.\nDelivery to Chicago.\nThanks, Ana")
    ticket_id = store_raw("sales", 1, n, msg.as_bytes())
    assert ticket_id is not None
    triage.triage_tickets([ticket_id])  # parses it
    with store.session() as s:
        row = s.get(TicketRow, ticket_id)
        assert row is not None
        row.type, row.assignee, row.status = type_name, assignee, status
    return ticket_id


def _sync() -> support_cases.CaseSync:
    account = resolve(NetSuiteCredentials)
    return support_cases.sync_cases(account, ledger.unmirrored(ledger.NETSUITE), RULES)


def test_one_case_per_ticket_after_two_runs_with_the_fields_mapped(
    store_ready: Path,
    http_server: HttpServer,
    cases: tuple[dict[str, dict[str, Any]], list[Reply]],
) -> None:
    records, _ = cases
    rfq = _ticket(1, "QUOTE - Request for Quote", "Mary Callie")
    letter = _ticket(2, "QUOTE - Quote Letter Document", "Customer Service", "resolved")
    first = _sync()
    assert set(first.upserted) == {rfq, letter} and first.failed == {}
    assert _sync().upserted == {}  # nothing changed: no call
    assert len(http_server.calls(CASES)) == 2
    assert records[f"csflows-ticket-{rfq}"] == {
        "id": first.upserted[rfq],
        "externalId": f"csflows-ticket-{rfq}",
        "title": "Quote for 500 lanterns (1)",
        "incomingMessage": "Hello,\nPlease quote 500 paper lanterns.",
        "email": "ana@paperlanterncrafts.com",
        "status": {"id": "2"},
        "category": {"id": "7"},
        "assigned": {"id": "42"},
        "custevent_csflows_ticket_type": "QUOTE - Request for Quote",
        "custevent_csflows_assignee": "Mary Callie",
    }
    closed = records[f"csflows-ticket-{letter}"]
    assert closed["status"] == {"id": "5"} and "assigned" not in closed and "category" not in closed
    assert closed["custevent_csflows_assignee"] == "Customer Service"

    # A status change updates the same case; a lost answer re-sent updates it too.
    with store.session() as s:
        row = s.get(TicketRow, rfq)
        assert row is not None
        row.status = "resolved"
    with store.session() as s:
        s.delete(s.get(ledger.TicketMirrorRow, (letter, ledger.NETSUITE)))
    again = _sync()
    assert again.upserted == {rfq: first.upserted[rfq], letter: first.upserted[letter]}
    assert len(records) == 2 and records[f"csflows-ticket-{rfq}"]["status"] == {"id": "5"}


def test_a_5xx_is_tried_again_next_run_into_one_case(
    store_ready: Path,
    http_server: HttpServer,
    cases: tuple[dict[str, dict[str, Any]], list[Reply]],
) -> None:
    """One request per ticket and run: the next triage run is the retry."""
    records, faults = cases
    faults.append(Reply(503, {"title": "Service Unavailable", "status": 503}))
    ticket = _ticket(3, "QUOTE - Request for Quote", "Mary Callie")
    assert "HTTP 503" in _sync().failed[ticket] and len(http_server.calls(CASES)) == 1
    assert set(_sync().upserted) == {ticket}
    assert len(http_server.calls(CASES)) == 2 and len(records) == 1


def test_a_4xx_names_netsuites_error_and_is_tried_next_run(
    store_ready: Path,
    http_server: HttpServer,
    cases: tuple[dict[str, dict[str, Any]], list[Reply]],
) -> None:
    records, faults = cases
    faults.append(
        Reply(
            400,
            {
                "type": "https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.1",
                "title": "Bad Request",
                "status": 400,
                "o:errorDetails": [
                    {
                        "detail": "Invalid value for field custevent_csflows_ticket_type.",
                        "o:errorCode": "INVALID_FLD_VALUE",
                    }
                ],
            },
        )
    )
    ticket = _ticket(4, "Question", "Customer Service")
    failed = _sync().failed
    assert failed[ticket] == (
        "netsuite: Bad Request (HTTP 400): "
        "Invalid value for field custevent_csflows_ticket_type. [INVALID_FLD_VALUE]"
    )
    assert len(http_server.calls(CASES)) == 1  # a 4xx is not retried at once
    mirror = ledger.mirror(ticket, ledger.NETSUITE)
    assert (
        mirror is not None and mirror.state is None and "INVALID_FLD_VALUE" in (mirror.error or "")
    )
    assert set(_sync().upserted) == {ticket} and len(records) == 1  # next run


def test_the_upsert_raises_the_named_error(
    store_ready: Path,
    http_server: HttpServer,
    cases: tuple[dict[str, dict[str, Any]], list[Reply]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CSFLOWS_NETSUITE_TOKEN_SECRET", "wrong")
    ticket = ledger.ticket_view(_ticket(5, "Question", "Customer Service"))
    with pytest.raises(ApiError, match=r"Unauthorized \(HTTP 401\): Invalid login attempt\."):
        support_cases.upsert_case(resolve(NetSuiteCredentials), ticket, "", RULES)


def test_the_task_does_nothing_without_netsuite(store_ready: Path) -> None:
    _ticket(6, "Question", "Customer Service")
    assert netsuite_cases_task.fn().upserted == {}
