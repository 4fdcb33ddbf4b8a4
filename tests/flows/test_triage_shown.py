"""The triage-inbox flow shows what it decided outside csflows: keywords in the opted-in inbox
(Dovecot), the auto-resolved quote letter moved to its folder, the other inbox untouched, and one
NetSuite support case per ticket (SuiteTalk stand-in); NetSuite refusing does not fail triage,
and the next run catches up without marking anything twice."""

from __future__ import annotations

import shutil
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

from csflows.paths import PROJECT_ROOT
from csflows.triage.mirrors import ledger
from flows.triage import triage_inbox
from tests.support.imap import DovecotServer
from tests.support.servers import HttpServer, SmtpServer
from tests.support.suitetalk import netsuite_settings, suitetalk

pytestmark = pytest.mark.integration

OPT_IN = """
mailbox:
  sales:
    mark_in_mailbox: true
    resolved_folder: Resolved
"""


def _mail(
    n: int, sender: str, subject: str, body: str, to: str = "cs@advantus.com", attached: str = ""
) -> bytes:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = sender, to, subject
    msg["Message-ID"] = f"<shown-{n}@test>"
    msg.set_content(body)
    if attached:
        msg.add_attachment(
            b"%PDF-1.4 quote", maintype="application", subtype="pdf", filename=attached
        )
    return msg.as_bytes()


def _flags(server: DovecotServer, user: str, folder: str) -> list[set[str]]:
    with server.client(user) as client:
        if not client.folder_exists(folder):
            return []
        client.select_folder(folder, readonly=True)
        uids = client.search(["ALL"])
        fetched = client.fetch(uids, ["FLAGS"]) if uids else {}
        return [{f.decode() for f in d[b"FLAGS"] if f != b"\\Recent"} for d in fetched.values()]


def test_triage_shows_in_the_mailbox_and_netsuite_and_a_refusal_waits_for_next_run(
    store_ready: Path,
    tmp_path: Path,
    imap_server: DovecotServer,
    smtp_server: SmtpServer,
    http_server: HttpServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    config = tmp_path / "config"
    shutil.copytree(PROJECT_ROOT / "config", config)
    inboxes = config / "inboxes.yaml"
    inboxes.write_text(inboxes.read_text().split("\nmailbox:")[0] + OPT_IN)
    monkeypatch.setenv("CSFLOWS_CONFIG_DIR", str(config))
    records: dict[str, dict[str, Any]] = {}
    suitetalk(http_server, records, "supportCase")
    for key, value in netsuite_settings(http_server).items():
        monkeypatch.setenv(f"CSFLOWS_NETSUITE_{key}", value)
    monkeypatch.setenv("CSFLOWS_NETSUITE_TOKEN_SECRET", "wrong")  # NetSuite refuses at first

    imap_server.append(
        "sales",
        _mail(
            1,
            "ravi@giftbarn.example",
            "RFQ: 40 cases of holiday ribbon",
            "Please quote 40 cases of the Wyla holiday ribbon assortment.",
        ),
    )
    imap_server.append(
        "sales",
        _mail(
            2,
            "mary.callie@advantus.com",
            "Quote Q-20418 - 500 custom binders",
            "Please find attached quote Q-20418.",
            to="purchasing@campusstore.example",
            attached="Q-20418.pdf",
        ),
    )
    imap_server.append(
        "support",
        _mail(
            3,
            "mary.callie@advantus.com",
            "Quote Q-20419 - 200 custom binders",
            "Please find attached quote Q-20419.",
            to="purchasing@campusstore.example",
            attached="Q-20419.pdf",
        ),
    )

    first = triage_inbox()
    assert (first.stored, first.triaged, first.marked, first.cases) == (3, 3, 2, 0)
    assert _flags(imap_server, "sales", "INBOX") == [
        {"csflows-type:QUOTE-Request_for_Quote", "csflows-assignee:Mary_Callie"}
    ]
    assert _flags(imap_server, "sales", "Resolved") == [
        {
            "csflows-type:QUOTE-Quote_Letter_Document",
            "csflows-assignee:Customer_Service",
            "csflows-resolved",
        }
    ]
    assert _flags(imap_server, "support", "INBOX") == [set()]  # did not opt in
    assert _flags(imap_server, "support", "Resolved") == []
    assert records == {}
    refused = ledger.unmirrored(ledger.NETSUITE)
    assert len(refused) == 3
    mirror = ledger.mirror(refused[0].id, ledger.NETSUITE)
    assert mirror is not None and "Invalid login attempt" in (mirror.error or "")

    monkeypatch.setenv("CSFLOWS_NETSUITE_TOKEN_SECRET", "tk-secret")
    again = triage_inbox()
    assert (again.stored, again.marked, again.cases) == (0, 0, 3)
    assert sorted(r["title"] for r in records.values()) == [
        "Quote Q-20418 - 500 custom binders",
        "Quote Q-20419 - 200 custom binders",
        "RFQ: 40 cases of holiday ribbon",
    ]
    calls = len(http_server.calls("/services/rest/record/v1/supportCase/"))
    third = triage_inbox()
    assert (third.marked, third.cases) == (0, 0) and len(records) == 3
    assert len(http_server.calls("/services/rest/record/v1/supportCase/")) == calls
