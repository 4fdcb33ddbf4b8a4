"""The triage worker killed in the middle of a poll, then run again (issue 9): a `triage-inbox` run
in its own process is SIGKILLed while the mail server holds one of its auto-replies; the next
run finishes the batch. Every message becomes exactly one ticket, every account request gets
exactly one reply (counted at the SMTP server and in the store), nothing is lost."""

from __future__ import annotations

import os
import subprocess
import sys
from email.message import EmailMessage
from pathlib import Path

import pytest
from prefect.settings import PREFECT_API_URL
from sqlalchemy import select

from csflows import store
from csflows.paths import PROJECT_ROOT
from csflows.store.tables import MessageRow, TicketRow
from flows.triage import triage_inbox
from tests.support.imap import DovecotServer
from tests.support.prefect_server import wait_for
from tests.support.servers import SmtpServer

pytestmark = pytest.mark.integration

HELD = 5  # the mail server holds the 5th auto-reply (and any after it) when the worker is killed


def account_request(n: int) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = f"Owner {n} <owner{n}@shop{n}.example>"
    msg["To"] = "cs@advantus.com"
    msg["Subject"] = "New account request"
    msg["Message-ID"] = f"<kill-account-{n}@test>"
    msg.set_content(f"Hi, I run craft store no. {n} and would like to open a wholesale account.")
    return msg


def quote_request(n: int) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = f"buyer{n}@giftbarn.example"
    msg["To"] = "cs@advantus.com"
    msg["Subject"] = f"RFQ: {10 + n} cases of holiday ribbon"
    msg["Message-ID"] = f"<kill-rfq-{n}@test>"
    msg.set_content("Please quote the Wyla holiday ribbon assortment.")
    return msg


def triage_worker(log: Path) -> subprocess.Popen[bytes]:
    """`triage-inbox` in its own process, against this session's Prefect API and store."""
    env = os.environ | {
        "PREFECT_API_URL": str(PREFECT_API_URL.value()),
        "PYTHONPATH": str(PROJECT_ROOT),
    }
    return subprocess.Popen(
        [sys.executable, "-c", "from flows.triage import triage_inbox; triage_inbox()"],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )


def tickets() -> list[TicketRow]:
    with store.session() as s:
        return list(s.scalars(select(TicketRow).order_by(TicketRow.id)))


def outbox() -> list[MessageRow]:
    with store.session() as s:
        return list(s.scalars(select(MessageRow).order_by(MessageRow.id)))


def sent_count() -> int:
    return sum(m.status == "sent" for m in outbox())


@pytest.mark.slow  # a second process starts, loads the model, is killed: scripts/test runs it
def test_a_triage_worker_killed_mid_batch_loses_nothing_and_sends_nothing_twice(
    store_ready: Path, imap_server: DovecotServer, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    accounts = [account_request(n) for n in range(1, 13)]
    for n, msg in enumerate(accounts):
        imap_server.append("sales" if n % 4 else "support", msg)
    for n in range(1, 5):
        imap_server.append("sales", quote_request(n))

    smtp_server.hold(HELD)
    worker = triage_worker(tmp_path / "worker.log")
    try:
        assert smtp_server.holding.wait(120), (tmp_path / "worker.log").read_text()[-3000:]
        # the replies the server accepted are recorded (a kill between the server's 250 and the
        # store's row is the one window SMTP cannot close: tested in tests/integration/test_outbox)
        wait_for("the accepted replies recorded", lambda: sent_count() == HELD - 1, timeout=30)
        worker.kill()  # SIGKILL while the 5th reply waits for the mail server's answer
        worker.wait(10)
    finally:
        smtp_server.release()
        if worker.poll() is None:
            worker.kill()

    # killed mid-batch: everything polled is stored, part of the replies went out
    assert len(smtp_server.messages) == HELD - 1
    stored = tickets()
    assert len(stored) == 16
    unsent = [
        t for t in stored if t.routed_to is None and t.message_id.startswith("<kill-account-")
    ]
    assert unsent, [(t.id, t.type, t.routed_to) for t in stored]
    assert any(m.status == "pending" for m in outbox())  # the reply the kill cut off

    later = [account_request(n) for n in (13, 14)]  # mail that arrives while the worker is down
    for msg in later:
        imap_server.append("sales", msg)
    summary = triage_inbox()
    assert summary.stored == 2 and summary.duplicates == 0
    assert triage_inbox().routed == 0  # and a third run finds nothing left to do

    # every message exactly one ticket
    rows = tickets()
    expected = {str(m["Message-ID"]) for m in [*accounts, *later]} | {
        f"<kill-rfq-{n}@test>" for n in range(1, 5)
    }
    assert sorted(r.message_id for r in rows) == sorted(expected)
    replies = [r for r in rows if r.message_id.startswith("<kill-account-")]
    # a reply sent before the kill but not yet noted on its ticket is noted, not sent, again
    assert {r.routed_to for r in replies} <= {"reply:sent", "reply:already_sent"}
    # every account request answered exactly once, at the mail server and in the store
    for msg in [*accounts, *later]:
        sender = msg["From"].addresses[0].addr_spec
        [reply] = smtp_server.to(sender)
        assert reply.message["In-Reply-To"] == msg["Message-ID"]
    replied = [m for m in smtp_server.messages if "for you:" not in m.subject]
    assert len(replied) == len(accounts) + len(later)  # besides: the reps told of their tickets
    sent = [m for m in outbox() if ":assigned:" not in m.idempotency_key]
    assert sorted(m.idempotency_key for m in sent) == sorted(
        f"ticket:{r.id}:reply" for r in replies
    )
    assert {m.status for m in sent} == {"sent"}
    # nothing taken from the inboxes: triage reads them, it never deletes
    for user, count in (("sales", 9 + 4 + 2), ("support", 3)):
        with imap_server.client(user) as client:
            assert client.select_folder("INBOX", readonly=True)[b"EXISTS"] == count
