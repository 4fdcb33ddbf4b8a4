"""Hostile mail across the wire: a business name with a line break through a real SMTP server adds
no header and no recipient; a MIME bomb, a megabyte subject, a megabyte body and control
characters through a real IMAP server (Dovecot) become tickets without stopping the poll."""

from __future__ import annotations

from email.message import EmailMessage
from pathlib import Path

import pytest
from sqlalchemy import select

from blocks import ImapInbox, resolve
from blocks import SmtpServer as SmtpBlock
from csflows import limits, store
from csflows.errors import HeaderInjectionError
from csflows.outbox import OutgoingEmail, send_email
from csflows.store.tables import MessageRow, TicketRow
from csflows.triage import routing as triage
from csflows.triage.mail import intake
from csflows.vetting import letters
from csflows.vetting.policy import approval_policy
from tests.support.hostile import nested_mime
from tests.support.imap import DovecotServer
from tests.support.servers import SmtpServer

pytestmark = pytest.mark.integration

INJECTED = "Acme\r\nBcc: victim@example.com\r\nX-Injected: yes\r\n\r\nFake body"


def _messages() -> list[MessageRow]:
    with store.session() as s:
        return list(s.scalars(select(MessageRow)))


def test_a_line_break_in_a_business_name_adds_no_header_on_the_wire(
    store_ready: Path, smtp_server: SmtpServer
) -> None:
    """The summary row of an inquiry stored before forms were checked may hold anything."""
    rules = approval_policy()
    reminder = letters.approval_nudge(
        "reminder", 41, 1, INJECTED, 2.5, "http://prefect.local/runs/x", rules
    )
    assert send_email(reminder, resolve(SmtpBlock)).status == "sent"
    [got] = smtp_server.messages
    assert got.rcpt_tos == [str(rules.supervisor_email)]  # no Bcc recipient
    assert "Bcc" not in got.message and "X-Injected" not in got.message
    assert got.subject == (
        "Reminder: inquiry 41 (Acme Bcc: victim@example.com X-Injected: yes Fake body) "
        "is waiting for your decision"
    )
    assert [m.status for m in _messages()] == ["sent"]
    assert (
        send_email(reminder, resolve(SmtpBlock)).status == "already_sent"
        and len(smtp_server.messages) == 1
    )


def test_a_second_recipient_in_to_is_refused_before_anything_is_stored(
    store_ready: Path, smtp_server: SmtpServer
) -> None:
    mail = OutgoingEmail(
        key="k-1", to="buyer@shop.example, victim@example.com", subject="Hi", body="x\n"
    )
    with pytest.raises(HeaderInjectionError, match="to: one email address expected"):
        send_email(mail, resolve(SmtpBlock))
    assert smtp_server.messages == [] and _messages() == []


def _mail(n: int, subject: str, body: str = "Where is my order 5521?") -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = "Linda Park <linda@brightcrafts.example>"
    msg["To"] = "cs@advantus.com"
    msg["Subject"] = subject
    msg["Message-ID"] = f"<hostile-{n}@brightcrafts.example>"
    msg.set_content(body)
    return msg


GIANT_SUBJECT = (
    b"From: Linda Park <linda@brightcrafts.example>\r\nTo: cs@advantus.com\r\n"
    b"Message-ID: <hostile-2@brightcrafts.example>\r\nSubject: " + b"order " * 200_000 + b"\r\n"
    b"Content-Type: text/plain\r\n\r\nWhere is my order 5521?\r\n"
)
CONTROL_SUBJECT = (
    b"From: Linda Park <linda@brightcrafts.example>\r\nTo: cs@advantus.com\r\n"
    b"Message-ID: <hostile-controls@brightcrafts.example>\r\n"
    b"Subject: Where is\x00 my order\x1b[2J \xe2\x80\xae5521?\r\nContent-Type: text/plain\r\n\r\n"
    b"Where is my order 5521?\x00 It was placed two weeks ago.\r\n"
)


def test_hostile_messages_in_one_poll_are_contained_and_the_others_triaged(
    store_ready: Path, imap_server: DovecotServer
) -> None:
    imap_server.append("sales", _mail(1, "Where is my order 5521?"))
    imap_server.append("sales", nested_mime(1000, "<hostile-nested@shop.example>"))
    imap_server.append("sales", GIANT_SUBJECT)
    imap_server.append("sales", _mail(3, "Order status", "Where is my order? " * 60_000))
    imap_server.append("sales", CONTROL_SUBJECT)
    imap_server.append("sales", _mail(4, "Where is my order 5522?"))

    poll = intake.poll_inbox("sales", ImapInbox.named("sales"))
    assert len(poll.stored) == 6 and poll.duplicates == 0  # every message kept raw
    results = {r.id: r for r in triage.triage_tickets(triage.pending_ticket_ids())}
    assert len(results) == 6
    with store.session() as s:
        rows = {r.message_id: r for r in s.scalars(select(TicketRow))}

    nested = rows["<hostile-nested@shop.example>"]
    assert (nested.status, nested.assignee) == ("needs_triage", "Customer Service")
    assert "MIME sections (multipart or attached messages): 1,000 sections; the limit is 50" in (
        nested.parse_error or ""
    )
    assert (nested.sender, nested.subject) == ("deep@shop.example", "Order status")

    giant = rows["<hostile-2@brightcrafts.example>"]
    assert giant.status == "needs_triage"
    assert "the Subject header: 1,200,000 characters; the limit is 16,000" in (
        giant.parse_error or ""
    )
    assert len(giant.subject) == limits.MAIL_SUBJECT_CHARS  # people still see what it is about

    long_body = rows["<hostile-3@brightcrafts.example>"]
    assert long_body.status == "open" and long_body.parsed is not None
    assert limits.MAIL_TEXT_CHARS - 1 <= len(long_body.parsed["text"]) <= limits.MAIL_TEXT_CHARS

    controls = rows["<hostile-controls@brightcrafts.example>"]
    assert controls.status == "open" and controls.subject.endswith("my order[2J 5521?")
    assert limits.unsafe_character(controls.subject) is None  # no NUL, ESC or U+202E kept
    assert controls.parsed is not None and "\x00" not in controls.parsed["text"]

    for n in (1, 4):  # the ordinary messages around them are triaged as usual
        ordinary = rows[f"<hostile-{n}@brightcrafts.example>"]
        assert ordinary.type == "Sales Order - Sales Order Status Update"
    assert all(len(r.raw) > 0 for r in rows.values())  # nothing lost
    assert intake.poll_inbox("sales", ImapInbox.named("sales")).stored == []  # nor stored twice
