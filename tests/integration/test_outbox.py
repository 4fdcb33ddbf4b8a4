"""Mail to a real SMTP server on 127.0.0.1: once per key, nothing lost when the server is down."""

from __future__ import annotations

from pathlib import Path

import pytest

from blocks import SmtpServer as SmtpBlock
from blocks import resolve
from csflows.errors import DeliveryError, HeaderInjectionError
from csflows.outbox import Attachment, OutgoingEmail, send_email
from tests.support.servers import SmtpServer

pytestmark = pytest.mark.integration


def _mail(key: str = "inquiry-1:approved", **kw: object) -> OutgoingEmail:
    values = {
        "key": key,
        "to": "buyer@shop.example",
        "subject": "Approved",
        "body": "Welcome\n",
    } | kw
    return OutgoingEmail(**values)  # type: ignore[arg-type]


def test_sends_once_per_key(store_ready: Path, smtp_server: SmtpServer) -> None:
    assert send_email(_mail(), resolve(SmtpBlock)).status == "sent"
    assert send_email(_mail(), resolve(SmtpBlock)).status == "already_sent"
    [got] = smtp_server.to("buyer@shop.example")
    assert got.subject == "Approved" and got.text == "Welcome\n"
    assert got.message["From"] == "Customer Service <cs@advantus.test>"


def test_attachment_arrives(store_ready: Path, smtp_server: SmtpServer) -> None:
    send_email(
        _mail(attachments=[Attachment("form.pdf", b"%PDF-1.4 x", "application/pdf")]),
        resolve(SmtpBlock),
    )
    [got] = smtp_server.messages
    [part] = list(got.message.iter_attachments())
    assert part.get_filename() == "form.pdf" and part.get_content() == b"%PDF-1.4 x"


def test_server_down_then_back_sends_once_late(store_ready: Path, smtp_server: SmtpServer) -> None:
    smtp_server.refuse = True
    with pytest.raises(DeliveryError, match="not sent yet"):
        send_email(_mail(), resolve(SmtpBlock))
    smtp_server.refuse = False
    assert send_email(_mail(), resolve(SmtpBlock)).status == "sent"
    assert send_email(_mail(), resolve(SmtpBlock)).status == "already_sent"
    assert len(smtp_server.messages) == 1


def test_a_crash_between_the_servers_ok_and_the_record_resends_the_same_message_id(
    store_ready: Path, smtp_server: SmtpServer
) -> None:
    """The one window SMTP cannot close (it cannot be asked what it accepted): a sender killed
    after the server's 250 and before its row says `sent` sends again on the next run, as the
    same message (same Message-ID), which mail systems show once."""
    from sqlalchemy import update

    from csflows import store
    from csflows.store.tables import MessageRow

    send_email(_mail(), resolve(SmtpBlock))
    with store.session() as s:  # as the killed sender left it: attempted, not recorded as sent
        s.execute(update(MessageRow).values(status="pending", sent_at=None))
    assert send_email(_mail(), resolve(SmtpBlock)).status == "sent"
    assert send_email(_mail(), resolve(SmtpBlock)).status == "already_sent"
    first, again = smtp_server.messages
    assert first.message["Message-ID"] == again.message["Message-ID"]


def test_header_injection_is_refused_before_anything_is_stored(
    store_ready: Path, smtp_server: SmtpServer
) -> None:
    with pytest.raises(HeaderInjectionError, match="subject: a line break"):
        send_email(_mail(subject="Hi\r\nBcc: victim@example.com"), resolve(SmtpBlock))
    assert smtp_server.messages == []
