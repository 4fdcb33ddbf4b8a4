"""Reading inbound mail: addresses, HTML to text, attachments, PDFs, charsets, broken MIME; the
ticket as the triage model reads it."""

from __future__ import annotations

import io
from email.message import EmailMessage

import pytest
from reportlab.pdfgen import canvas

from csflows.errors import MailParseError
from csflows.triage.mail.inbound import InboundMail
from csflows.triage.mail.message import message_id_of, parse_message


def _pdf(text: str) -> bytes:
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer)
    page.drawString(72, 720, text)
    page.save()
    return buffer.getvalue()


def _mail(**headers: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = headers.get("from", "Pat Buyer <Pat@Shop.example>")
    msg["To"] = headers.get("to", "cs@advantus.com, Orders <orders@advantus.com>")
    msg["Cc"] = headers.get("cc", "boss@shop.example")
    msg["Subject"] = headers.get("subject", "PO 4471 attached")
    msg["Message-ID"] = headers.get("message_id", "<po-4471@shop.example>")
    msg["In-Reply-To"] = "<q-9@advantus.com>"
    msg["References"] = "<q-1@advantus.com> <q-9@advantus.com>"
    msg["Date"] = "Mon, 23 Nov 2026 09:00:00 -0600"
    return msg


def test_addresses_thread_and_pdf_text() -> None:
    msg = _mail()
    msg.set_content("Please find our PO attached.\n")
    msg.add_attachment(
        _pdf("PURCHASE ORDER 4471 total $812.00"), "application", "pdf", filename="PO-4471.pdf"
    )
    ticket = parse_message(msg.as_bytes(), inbox="orders")
    assert ticket.sender == "pat@shop.example"
    assert ticket.to == ["cs@advantus.com", "orders@advantus.com"]
    assert ticket.cc == ["boss@shop.example"]
    assert ticket.subject == "PO 4471 attached" and ticket.inbox == "orders"
    assert ticket.text == "Please find our PO attached."
    assert ticket.in_reply_to == "<q-9@advantus.com>"
    assert ticket.references == ["<q-1@advantus.com>", "<q-9@advantus.com>"]
    [pdf] = ticket.attachments
    assert pdf.filename == "PO-4471.pdf" and pdf.content_type == "application/pdf"
    assert pdf.size > 0 and "PURCHASE ORDER 4471" in pdf.text
    assert (
        ticket.received_at is not None and ticket.received_at.utcoffset().total_seconds() == -21600
    )  # type: ignore[union-attr]


def test_a_ticket_as_the_triage_model_reads_it() -> None:
    msg = _mail()
    msg.set_content("Please find our PO attached.\n")
    msg.add_attachment(b"4471", "application", "octet-stream", filename="PO-4471.txt")
    assert InboundMail.from_ticket(parse_message(msg.as_bytes())) == InboundMail(
        "pat@shop.example",
        ["cs@advantus.com", "orders@advantus.com", "boss@shop.example"],
        "PO 4471 attached",
        "Please find our PO attached.",
        ["PO-4471.txt"],
    )


def test_html_only_body_becomes_text() -> None:
    msg = _mail()
    msg.set_content(
        "<html><body><p>Where is my <b>order</b> 5521?</p><script>x</script></body></html>",
        subtype="html",
    )
    assert "Where is my **order** 5521?" in parse_message(msg.as_bytes()).text


def test_iso_8859_1_and_shift_jis_decode() -> None:
    latin = (
        b"From: =?iso-8859-1?q?Jos=E9_M=FCller?= <jose@tienda.example>\r\nTo: cs@advantus.com\r\n"
        b"Subject: =?iso-8859-1?q?Pedido_atrasado_-_se=F1or?=\r\nMessage-ID: <l1@tienda.example>\r\n"
        b"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=iso-8859-1\r\n"
        b"Content-Transfer-Encoding: 8bit\r\n\r\nMa\xf1ana, gr\xfc\xdfe, caf\xe9\r\n"
    )
    ticket = parse_message(latin)
    assert ticket.subject == "Pedido atrasado - señor"
    assert ticket.text.strip() == "Mañana, grüße, café"
    msg = _mail(subject="見積依頼")
    msg.set_content("サンプルをお願いします", charset="shift_jis", cte="base64")
    raw = msg.as_bytes()
    assert b"shift_jis" in raw.lower()
    ticket = parse_message(raw)
    assert ticket.subject == "見積依頼" and ticket.text.strip() == "サンプルをお願いします"


def test_unknown_charset_is_read_with_replacements() -> None:
    raw = (
        b"From: a@shop.example\r\nSubject: hi\r\nContent-Type: text/plain; charset=x-no-such\r\n"
        b"\r\nhello \xff there\r\n"
    )
    assert parse_message(raw).text.startswith("hello \ufffd there")


def test_broken_multipart_is_a_clear_error() -> None:
    raw = (
        b"From: a@shop.example\r\nSubject: order\r\nMessage-ID: <g1@shop.example>\r\n"
        b"MIME-Version: 1.0\r\nContent-Type: multipart/mixed\r\n\r\n--nothing\r\nbody\r\n"
    )
    with pytest.raises(
        MailParseError,
        match=r"<g1@shop.example>: broken MIME structure in multipart/mixed part: NoBoundaryInMultipartDefect",
    ):
        parse_message(raw)
    with pytest.raises(MailParseError, match="not a message"):
        parse_message(b"\x00\x01\xfe garbage without headers")


def test_message_id_is_derived_when_missing() -> None:
    raw = b"From: a@shop.example\r\nSubject: x\r\n\r\nbody\r\n"
    assert message_id_of(raw) == message_id_of(raw)
    assert message_id_of(raw).endswith("@no-message-id.csflows>")
    assert message_id_of(raw) != message_id_of(raw + b"more")


def test_unreadable_and_oversized_pdfs_are_listed_without_text() -> None:
    msg = _mail()
    msg.set_content("see attached")
    msg.add_attachment(b"%PDF-1.4 not really", "application", "pdf", filename="broken.pdf")
    msg.add_attachment(b"\x00" * 2048, "application", "zip", filename="art.zip")
    broken, archive = parse_message(msg.as_bytes()).attachments
    assert (broken.filename, broken.text) == ("broken.pdf", "")
    assert (archive.filename, archive.size, archive.content_type) == (
        "art.zip",
        2048,
        "application/zip",
    )
