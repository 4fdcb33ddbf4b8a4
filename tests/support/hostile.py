"""Hostile inputs built in the test (nothing big is committed): PDF bombs, a PDF of too many
pages, deeply nested PDF objects, a deeply nested MIME message."""

from __future__ import annotations

import io
import struct
import zlib

MB = 1024 * 1024


def _deflate_padded(head: bytes, expanded: int) -> bytes:
    """`head` then spaces up to `expanded` bytes, deflated (a few hundred KB for 300 MB)."""
    comp = zlib.compressobj(9)
    out = [comp.compress(head)]
    block = b" " * MB
    for _ in range(expanded // MB):
        out.append(comp.compress(block))
    out.append(comp.flush())
    return b"".join(out)


def _stream(extra: bytes, data: bytes) -> bytes:
    return b"<< /Length %d %s >>\nstream\n" % (len(data), extra) + data + b"\nendstream"


def _pdf(objects: list[bytes]) -> bytes:
    """Objects 1..n with a classic xref table; object 1 is the catalog."""
    buf = io.BytesIO()
    buf.write(b"%PDF-1.5\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(buf.tell())
        buf.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
    xref = buf.tell()
    buf.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    buf.writelines(b"%010d 00000 n \n" % offset for offset in offsets)
    buf.write(b"trailer\n<< /Size %d /Root 1 0 R >>\n" % (len(objects) + 1))
    buf.write(b"startxref\n%d\n%%%%EOF\n" % xref)
    return buf.getvalue()


_CATALOG = b"<< /Type /Catalog /Pages 2 0 R >>"
_PAGES = b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>"
_PAGE = (
    b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
    b"/Resources << /Font << /F1 5 0 R >> >> >>"
)
_FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"


def page_bomb(expanded: int = 300 * MB) -> bytes:
    """One page whose FlateDecode content stream expands to `expanded` bytes: PO number and total
    first, so a reader without limits would find them."""
    text = b"BT /F1 12 Tf 72 712 Td (PO 9001 Total $100.00) Tj ET\n"
    content = _stream(b"/Filter /FlateDecode", _deflate_padded(text, expanded))
    return _pdf([_CATALOG, _PAGES, _PAGE, content, _FONT])


def form_bomb(expanded: int = 300 * MB) -> bytes:
    """The form's fields (the AcroForm) inside an object stream that expands to `expanded` bytes:
    reading the fields means decompressing it (a cross-reference stream says where it is)."""
    field = b"<< /FT /Tx /T (business_name) /V (Bomb Shop) >>"
    acroform = b"<< /Fields [8 0 R] >>"
    index = b"6 0 8 %d " % len(acroform)
    objstm = _stream(
        b"/Type /ObjStm /N 2 /First %d /Filter /FlateDecode" % len(index),
        _deflate_padded(index + acroform + field, expanded),
    )
    catalog = b"<< /Type /Catalog /Pages 2 0 R /AcroForm 6 0 R >>"
    content = _stream(b"", b"BT /F1 12 Tf 72 712 Td (Form) Tj ET")
    buf = io.BytesIO()
    buf.write(b"%PDF-1.5\n")
    offsets = {}
    for number, body in enumerate([catalog, _PAGES, _PAGE, content, _FONT], start=1):
        offsets[number] = buf.tell()
        buf.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
    offsets[7] = buf.tell()
    buf.write(b"7 0 obj\n%s\nendobj\n" % objstm)
    rows = [struct.pack(">BIH", 0, 0, 65535)]
    for number in range(1, 10):
        if number in (6, 8):  # compressed: in object stream 7, at index 0 and 1
            rows.append(struct.pack(">BIH", 2, 7, 0 if number == 6 else 1))
        elif number == 9:
            rows.append(struct.pack(">BIH", 1, buf.tell(), 0))
        else:
            rows.append(struct.pack(">BIH", 1, offsets[number], 0))
    xref_at = buf.tell()
    data = b"".join(rows)
    buf.write(
        b"9 0 obj\n%s\nendobj\n" % _stream(b"/Type /XRef /Size 10 /W [1 4 2] /Root 1 0 R", data)
    )
    buf.write(b"startxref\n%d\n%%%%EOF\n" % xref_at)
    return buf.getvalue()


def many_pages(pages: int) -> bytes:
    """A PDF of `pages` pages, each a line of PO text."""
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    pdf = canvas.Canvas(buf, invariant=1)
    for number in range(pages):
        pdf.drawString(72, 720, f"PO 9002 page {number + 1} Total $100.00")
        pdf.showPage()
    pdf.save()
    return buf.getvalue()


def nested_objects(depth: int = 5000) -> bytes:
    """A page whose resources hold an array nested `depth` levels deep."""
    page = (
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> /Deep " + b"[" * depth + b"]" * depth + b" >> >>"
    )
    content = _stream(b"", b"BT /F1 12 Tf 72 712 Td (PO 9003 Total $1.00) Tj ET")
    return _pdf([_CATALOG, _PAGES, page, content, _FONT])


def nested_mime(depth: int, message_id: str, sender: str = "deep@shop.example") -> bytes:
    """A message `depth` multiparts deep around one line of text."""
    body = b"Content-Type: text/plain\r\n\r\nWhere is my order 5521?\r\n"
    for level in range(depth):
        boundary = b"level%d" % level
        body = b'Content-Type: multipart/mixed; boundary="%s"\r\n\r\n--%s\r\n%s\r\n--%s--\r\n' % (
            boundary,
            boundary,
            body,
            boundary,
        )
    head = (
        f"From: {sender}\r\nTo: cs@advantus.com\r\nSubject: Order status\r\n"
        f"Message-ID: {message_id}\r\nMIME-Version: 1.0\r\n"
    ).encode()
    return head + body
