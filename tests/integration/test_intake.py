"""Intake from a real IMAP server (Dovecot on 127.0.0.1, messages put there with APPEND):
duplicates across inboxes, a broken MIME message, a 20 MB attachment, other charsets, and a
poll cut short then run again."""

from __future__ import annotations

import os
from email.message import EmailMessage
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select

from blocks import ImapInbox
from csflows import store
from csflows.errors import InboxUnavailable
from csflows.store.tables import InboxCursorRow, TicketRow
from csflows.triage import routing as triage
from csflows.triage.mail import intake
from tests.support.imap import DovecotServer

pytestmark = pytest.mark.integration


def _mail(
    n: int, subject: str = "Where is my order?", sender: str = "linda@brightcrafts.example"
) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = f"Linda Park <{sender}>"
    msg["To"] = "cs@advantus.com"
    msg["Subject"] = subject
    msg["Message-ID"] = f"<msg-{n}@brightcrafts.example>"
    msg.set_content(f"Hi, PO BC-{21000 + n} was placed two weeks ago, can you tell me where it is?")
    return msg


def _poll(name: str, max_messages: int = 500) -> intake.PollResult:
    return intake.poll_inbox(name, ImapInbox.named(name), max_messages)


def _tickets() -> list[TicketRow]:
    with store.session() as s:
        return list(s.scalars(select(TicketRow).order_by(TicketRow.id)))


def test_the_same_message_in_two_inboxes_is_one_ticket(
    store_ready: Path, imap_server: DovecotServer
) -> None:
    assert intake.inbox_list().inboxes == ["sales", "support"]
    imap_server.append("sales", _mail(1))
    imap_server.append("support", _mail(1))
    imap_server.append("support", _mail(2))
    sales, support = _poll("sales"), _poll("support")
    assert (len(sales.stored), sales.duplicates) == (1, 0)
    assert (len(support.stored), support.duplicates) == (1, 1)
    rows = _tickets()
    assert [(r.inbox, r.message_id, r.status) for r in rows] == [
        ("sales", "<msg-1@brightcrafts.example>", "received"),
        ("support", "<msg-2@brightcrafts.example>", "received"),
    ]
    assert _poll("sales").stored == [] and _poll("support").stored == []


def test_a_broken_mime_message_is_kept_and_goes_to_people(
    store_ready: Path, imap_server: DovecotServer
) -> None:
    raw = (
        b"From: buyer@shop.example\r\nTo: cs@advantus.com\r\nSubject: our order\r\n"
        b"Message-ID: <garbled-1@shop.example>\r\nMIME-Version: 1.0\r\n"
        b"Content-Type: multipart/mixed\r\n\r\n--x\r\nContent-Type: text/plain\r\n\r\nhello\r\n"
    )
    imap_server.append("sales", raw)
    [ticket_id] = _poll("sales").stored
    [result] = triage.triage_tickets(triage.pending_ticket_ids())
    assert result.status == "needs_triage" and result.type is None
    assert "broken MIME structure" in (result.parse_error or "")
    [row] = _tickets()
    assert (
        row.id == ticket_id and row.status == "needs_triage" and row.assignee == "Customer Service"
    )
    assert (row.sender, row.subject) == ("buyer@shop.example", "our order")  # who wrote it
    assert row.raw.replace(b"\r\n", b"\n") == raw.replace(b"\r\n", b"\n")  # nothing lost


@pytest.mark.slow
def test_a_20_mb_attachment(store_ready: Path, imap_server: DovecotServer) -> None:
    msg = _mail(3, subject="Artwork for the custom binders")
    payload = os.urandom(20 * 1024 * 1024)
    msg.add_attachment(payload, "application", "zip", filename="artwork.zip")
    imap_server.append("sales", msg)
    imap_server.append("sales", _mail(4))
    result = _poll("sales")
    assert len(result.stored) == 2
    triage.triage_tickets(triage.pending_ticket_ids())
    big, small = _tickets()
    assert len(big.raw) > 20 * 1024 * 1024
    assert big.parsed is not None
    [attachment] = big.parsed["attachments"]
    assert attachment["filename"] == "artwork.zip" and attachment["size"] == len(payload)
    assert small.type == "Sales Order - Sales Order Status Update"


def test_iso_8859_1_and_shift_jis(store_ready: Path, imap_server: DovecotServer) -> None:
    latin = (
        "From: =?iso-8859-1?q?Jos=E9_M=FCller?= <jose@tienda.example>\r\nTo: cs@advantus.com\r\n"
        "Subject: =?iso-8859-1?q?Queja:_pedido_da=F1ado?=\r\nMessage-ID: <latin-1@tienda.example>\r\n"
        "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=iso-8859-1\r\n"
        "Content-Transfer-Encoding: quoted-printable\r\n\r\nEl pedido lleg=F3 da=F1ado, se=F1or.\r\n"
    ).encode("ascii")
    imap_server.append("sales", latin)
    japanese = _mail(5, subject="サンプル請求")
    japanese.set_content("サンプルを送ってください。", charset="shift_jis", cte="base64")
    imap_server.append("sales", japanese)
    _poll("sales")
    triage.triage_tickets(triage.pending_ticket_ids())
    spanish, jp = _tickets()
    assert spanish.subject == "Queja: pedido dañado"
    assert spanish.parsed is not None and "llegó dañado, señor" in spanish.parsed["text"]
    assert spanish.sender == "jose@tienda.example" and spanish.status in {"open", "needs_triage"}
    assert jp.subject == "サンプル請求" and jp.parsed is not None
    assert jp.parsed["text"] == "サンプルを送ってください。"


def test_a_poll_cut_short_then_run_again_loses_nothing_and_stores_nothing_twice(
    store_ready: Path, imap_server: DovecotServer
) -> None:
    for n in range(10, 15):
        imap_server.append("sales", _mail(n))
    first = _poll("sales", max_messages=2)
    assert (len(first.stored), first.remaining) == (2, 3)

    imap_server.stop(keep_mail=True)  # the server goes away mid-way
    with pytest.raises(InboxUnavailable, match="IMAP 127.0.0.1"):
        _poll("sales")
    imap_server.start()

    second = _poll("sales")
    assert (len(second.stored), second.duplicates, second.remaining) == (3, 0, 0)
    assert _poll("sales").stored == []
    ids = [r.message_id for r in _tickets()]
    assert ids == [f"<msg-{n}@brightcrafts.example>" for n in range(10, 15)]

    # The cursor lost (or UIDVALIDITY changed): everything is fetched again, nothing stored twice.
    with store.session() as s:
        s.execute(delete(InboxCursorRow))
    again = _poll("sales")
    assert (again.stored, again.duplicates) == ([], 5)
    with store.session() as s:
        assert s.scalar(select(func.count()).select_from(TicketRow)) == 5
