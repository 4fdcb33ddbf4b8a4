"""Read an inbound message (RFC 5322 bytes) into a Ticket: addresses, text, attachments, thread.

The standard library's `email` with `policy.default` does the MIME work; HTML bodies become text
with html2text and PDF attachments give their first pages' text (pypdf), within caps so that one
huge attachment cannot stall triage. A message too broken to read raises MailParseError; the
caller has stored the raw bytes already and routes the ticket to people.
"""

from __future__ import annotations

import hashlib
import logging
import re
from datetime import datetime
from email import errors as email_errors
from email import message_from_bytes, policy
from email.message import EmailMessage, Message
from email.parser import BytesHeaderParser
from email.utils import getaddresses, parsedate_to_datetime

import html2text

from csflows import limits, pdfs
from csflows.errors import MailParseError
from csflows.models import Attachment, Ticket

log = logging.getLogger(__name__)

PDF_PAGE_CAP = 5  # pages of an attached PDF read for triage
TEXT_CAP = limits.MAIL_TEXT_CHARS  # characters kept per body or attachment
_ENCODED_WORD = re.compile(r"=\?[^?\s]*\?[qQbB]\?[^?\s]*\?=")  # RFC 2047: display names only
# A header that opens a multipart or message/* section: the parser nests once per section.
_SECTION = re.compile(rb"^content-type:\s*(?:multipart|message)/", re.IGNORECASE | re.MULTILINE)

# Defects after which the MIME structure (and so the body and attachments) cannot be trusted.
_FATAL_DEFECTS = (
    email_errors.NoBoundaryInMultipartDefect,
    email_errors.StartBoundaryNotFoundDefect,
    email_errors.MultipartInvariantViolationDefect,
)


def message_id_of(raw: bytes) -> str:
    """The Message-ID header, or one derived from the bytes when a message has none."""
    try:
        value = BytesHeaderParser(policy=policy.compat32).parsebytes(raw).get("Message-ID")
    except Exception:  # noqa: BLE001 - any header garbage falls back to the digest
        value = None
    value = limits.one_line(str(value or ""), limits.MAIL_SUBJECT_CHARS)
    if value:
        return value
    return f"<{hashlib.sha256(raw).hexdigest()[:40]}@no-message-id.csflows>"


def parse_message(raw: bytes, inbox: str = "") -> Ticket:
    """The Ticket for `raw`; MailParseError when the message cannot be read."""
    message_id = message_id_of(raw)
    msg = read_message(raw, message_id)
    _check_structure(msg, message_id)
    body = msg.get_body(preferencelist=("plain", "html"))
    return Ticket(
        message_id=message_id,
        inbox=inbox,
        sender=next(iter(_addresses(msg, "From")), ""),
        to=_addresses(msg, "To"),
        cc=_addresses(msg, "Cc"),
        subject=_header(msg, "Subject")[: limits.MAIL_SUBJECT_CHARS],
        text=_part_text(body)[:TEXT_CAP] if body is not None else "",
        attachments=[_attachment(p) for p in _attachment_parts(msg, body)],
        in_reply_to=_header(msg, "In-Reply-To") or None,
        references=_header(msg, "References").split(),
        received_at=_date(msg),
    )


def read_message(raw: bytes, message_id: str = "") -> EmailMessage:
    """`raw` parsed, once it is known to be within the limits: not more MIME sections than
    limits.MIME_SECTIONS (a deeply nested message would exhaust the parser's recursion) and no
    header longer than limits.MAIL_HEADER_CHARS (parsing one is quadratic). MailParseError else."""
    label = message_id or message_id_of(raw)
    sections = len(_SECTION.findall(raw))
    if sections > limits.MIME_SECTIONS:
        raise MailParseError(
            limits.too_long(f"{label}: MIME sections (multipart or attached messages)", sections,
                            limits.MIME_SECTIONS, "sections")
            + "; a nested MIME bomb? Read it in the mail client"
        )  # fmt: skip
    msg = message_from_bytes(raw, policy=policy.default)
    if not isinstance(msg, EmailMessage):  # pragma: no cover - policy.default guarantees it
        raise MailParseError(f"{label}: not an email message")
    for part in msg.walk():
        for name, value in part.raw_items():
            if len(value) > limits.MAIL_HEADER_CHARS:
                header = limits.one_line(str(name), 60)
                raise MailParseError(
                    limits.too_long(f"{label}: the {header} header", len(value),
                                    limits.MAIL_HEADER_CHARS)
                )  # fmt: skip
    return msg


def _check_structure(msg: Message, message_id: str) -> None:
    if not any(_header(msg, h) for h in ("From", "Subject", "To", "Date")):
        raise MailParseError(f"{message_id}: no From, To, Subject or Date header: not a message")
    for part in msg.walk():
        for defect in part.defects:
            if isinstance(defect, _FATAL_DEFECTS):
                raise MailParseError(
                    f"{message_id}: broken MIME structure in {part.get_content_type()} part: "
                    f"{type(defect).__name__}"
                )


def _header(msg: Message, name: str) -> str:
    try:
        value = msg.get(name)
    except Exception:  # noqa: BLE001 - an undecodable header is kept as its raw text
        value = _raw_header(msg, name)
    return limits.one_line(str(value or ""))


def _raw_header(msg: Message, name: str) -> str:
    return next((str(v) for k, v in msg.raw_items() if k.lower() == name.lower()), "")  # type: ignore[attr-defined]


def _addresses(msg: Message, name: str) -> list[str]:
    """Lower-cased addresses of a header, in order, without display names."""
    try:
        value = str(msg.get(name) or "")
    except Exception:  # noqa: BLE001 - a display name decoding to a line break: keep the addresses
        value = _ENCODED_WORD.sub("", _raw_header(msg, name))
    values = [limits.one_line(value)] if value else []
    return [addr.lower() for _, addr in getaddresses(values) if "@" in addr]


def _date(msg: Message) -> datetime | None:
    try:
        return parsedate_to_datetime(_header(msg, "Date"))
    except (TypeError, ValueError, IndexError):
        return None


def _decoded(part: Message) -> bytes:
    payload = part.get_payload(decode=True)
    return payload if isinstance(payload, bytes) else b""


def _part_text(part: Message) -> str:
    """A text part's content as str: its charset, or UTF-8 with replacements when unknown."""
    try:
        text = part.get_content()  # type: ignore[attr-defined]
    except (LookupError, UnicodeError, KeyError, AssertionError):
        text = _decoded(part).decode("utf-8", errors="replace")
    if not isinstance(text, str):
        text = bytes(text).decode("utf-8", errors="replace")
    if part.get_content_type() == "text/html":
        return limits.clean(html_to_text(text[: limits.MAIL_HTML_CHARS]), multiline=True)
    return limits.clean(text.replace("\r\n", "\n"), multiline=True)


def html_to_text(html: str) -> str:
    converter = html2text.HTML2Text()
    converter.body_width = 0
    converter.ignore_images = True
    return str(converter.handle(html)).strip() + "\n"


def _attachment_parts(msg: EmailMessage, body: Message | None) -> list[Message]:
    parts: list[Message] = []
    for part in msg.walk():
        if part.is_multipart() or part is body:
            continue
        if part.get_content_disposition() == "attachment" or part.get_filename():
            parts.append(part)
        elif part.get_content_maintype() not in {"text", "multipart"}:
            parts.append(part)  # inline images and other non-text parts
    return parts


def _attachment(part: Message) -> Attachment:
    content = _decoded(part)
    name = (
        limits.one_line(part.get_filename() or "", 255) or f"unnamed.{part.get_content_subtype()}"
    )
    ctype = part.get_content_type()
    text = ""
    if ctype == "application/pdf" or name.lower().endswith(".pdf"):
        text = pdf_text(content)
    elif part.get_content_maintype() == "text":
        text = _part_text(part)[:TEXT_CAP]
    return Attachment(filename=name, content_type=ctype, size=len(content), text=text)


def pdf_text(content: bytes) -> str:
    """The first pages' text of a PDF (and its form fields), or "" when it cannot be read."""
    if not content:
        return ""
    from pypdf.errors import PyPdfError

    try:
        with pdfs.reading(content) as reader:
            pages = [page.extract_text() or "" for page in reader.pages[:PDF_PAGE_CAP]]
            fields = reader.get_fields() or {}
    except (PyPdfError, ValueError, TypeError, KeyError, OSError) as exc:  # PdfRefused too
        log.info("PDF not read: %s: %s", exc.__class__.__name__, str(exc)[:200])
        return ""
    values = [f"{name}: {f.get('/V')}" for name, f in fields.items() if f.get("/V")]
    return limits.clean("\n".join(pages + values)[:TEXT_CAP], multiline=True)


def sender_name(raw: bytes) -> str:
    """The From header's display name ("" when it has none or cannot be read)."""
    try:
        value = BytesHeaderParser(policy=policy.default).parsebytes(raw).get("From")
        name = str(value.addresses[0].display_name or "") if value is not None else ""
    except (AttributeError, IndexError, TypeError, ValueError):
        return ""
    return limits.one_line(name, limits.NAME_CHARS)


def pdf_attachments(raw: bytes) -> list[bytes]:
    """The content of each PDF attached to the message, in order."""
    msg = read_message(raw)
    body = msg.get_body(preferencelist=("plain", "html"))
    return [
        _decoded(part)
        for part in _attachment_parts(msg, body)
        if part.get_content_type() == "application/pdf"
        or (part.get_filename() or "").lower().endswith(".pdf")
    ]


def form_attachments(raw: bytes) -> list[tuple[str, bytes]]:
    """(file name, content) of each PDF or picture attached, in order: what a returned form may
    come as (csflows' fillable PDF, a printed or scanned one, a photo)."""
    msg = read_message(raw)
    body = msg.get_body(preferencelist=("plain", "html"))
    out: list[tuple[str, bytes]] = []
    for part in _attachment_parts(msg, body):
        ctype, name = part.get_content_type(), part.get_filename() or ""
        suffix = {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg"}.get(ctype)
        if suffix is None and "." in name:
            suffix = name.rsplit(".", 1)[1].lower()
        if suffix in {"pdf", "png", "jpg", "jpeg"}:
            out.append((limits.one_line(name, 255) or f"attachment.{suffix}", _decoded(part)))
    return out


def header_summary(raw: bytes) -> tuple[str, str]:
    """(sender address, subject) read leniently, so people see who wrote an unreadable message."""
    try:
        headers = BytesHeaderParser(policy=policy.compat32).parsebytes(raw)
        sender = getaddresses([str(headers.get("From") or "")[: limits.MAIL_HEADER_CHARS]])
        subject = limits.one_line(
            str(headers.get("Subject") or "")[: 4 * limits.MAIL_SUBJECT_CHARS]
        )
    except Exception:  # noqa: BLE001 - best effort on a message already known to be broken
        return "", ""
    address = sender[0][1].lower() if sender and "@" in sender[0][1] else ""
    return limits.one_line(address, limits.EMAIL_CHARS), subject[: limits.MAIL_SUBJECT_CHARS]
