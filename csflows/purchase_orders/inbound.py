"""A PO email from the flow's `message` (JSON), a `.eml`, or a stored ticket's raw bytes.

The JSON shape (`csflows po FILE`, and the flow's `message` parameter):

    {"from": "Buyer <buyer@shop.example>", "subject": "PO 4512", "body": "...",
     "attachments": [{"filename": "po.pdf", "content_type": "application/pdf",
                      "content_base64": "JVBERi0..."},
                     {"path": "po.pdf"}],
     "message_id": "<optional@id>"}

An attachment gives either `content_base64` or `path`; a `path` is relative to the JSON file and
is read by the CLI (the flow's `message` holds `content_base64` only).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import mimetypes
from email.utils import parseaddr
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from csflows import limits
from csflows.errors import MailParseError, PoInputError
from csflows.models.purchase_order import PoAttachment, PoEmail
from csflows.triage.mail.message import read_message

_KEYS = {"from", "subject", "body", "attachments", "message_id"}
_ATTACHMENT_KEYS = {"filename", "content_type", "content_base64", "path"}


_LIMITS = {"body": limits.PO_BODY_CHARS}  # every other text is one header's worth
_CHECKED_ELSEWHERE = {"content_base64"}  # decoded strictly; the PDF reader caps its size


def _text(document: dict[str, Any], key: str, required: bool = False) -> str:
    value = document.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        raise PoInputError(f"{key}: expected a non-empty string (got {value!r:.80})")
    if key in _CHECKED_ELSEWHERE:
        return value
    limit = _LIMITS.get(key, limits.MAIL_HEADER_CHARS)
    if len(value) > limit:
        raise PoInputError(limits.too_long(key, len(value), limit))
    found = limits.unsafe_character(value, multiline=key == "body")
    if found:
        raise PoInputError(f"{key}: a control character is not allowed ({found})")
    return value


def _attachment(item: Any, index: int, base: Path | None) -> PoAttachment:
    field = f"attachments[{index}]"
    if not isinstance(item, dict):
        raise PoInputError(f"{field}: expected an object with filename and content_base64 or path")
    unknown = sorted(set(item) - _ATTACHMENT_KEYS)
    if unknown:
        raise PoInputError(f"{field}: unknown key(s) {', '.join(unknown)}")
    if ("content_base64" in item) == ("path" in item):
        raise PoInputError(f"{field}: give exactly one of content_base64 or path")
    if "path" in item:
        if base is None:
            raise PoInputError(f"{field}.path: not allowed here; give content_base64")
        path = base / _text(item, "path", required=True)
        try:
            content = path.read_bytes()
        except OSError as exc:
            raise PoInputError(f"{field}.path: cannot read {path}: {exc.strerror}") from exc
        filename = item.get("filename") or path.name
    else:
        try:
            content = base64.b64decode(_text(item, "content_base64", required=True), validate=True)
        except (binascii.Error, ValueError) as exc:
            raise PoInputError(f"{field}.content_base64: not valid base64 ({exc})") from exc
        filename = item.get("filename")
        if not filename:
            raise PoInputError(f"{field}.filename: required with content_base64")
    content_type = item.get("content_type") or (
        mimetypes.guess_type(str(filename))[0] or "application/octet-stream"
    )
    try:
        return PoAttachment(filename=filename, content_type=content_type, content=content)
    except ValidationError as exc:
        err = exc.errors()[0]
        raise PoInputError(f"{field}.{err['loc'][0]}: {err['msg']}") from exc


def from_json(document: Any, base: Path | None = None) -> PoEmail:
    """The PO email a JSON object describes; PoInputError names the bad field."""
    if not isinstance(document, dict):
        raise PoInputError("message: expected a JSON object with from, subject, body, attachments")
    unknown = sorted(set(document) - _KEYS)
    if unknown:
        raise PoInputError(
            f"unknown key(s) {', '.join(unknown)}; expected {', '.join(sorted(_KEYS))}"
        )
    name, address = parseaddr(_text(document, "from", required=True))
    if "@" not in address or " " in address:
        raise PoInputError(f"from: not an email address (got {document['from']!r:.80})")
    attachments = document.get("attachments")
    attachments = [] if attachments is None else attachments
    if not isinstance(attachments, list):
        raise PoInputError(f"attachments: expected a list (got {type(attachments).__name__})")
    return PoEmail(
        sender=address,
        sender_name=name,
        subject=_text(document, "subject"),
        body=_text(document, "body"),
        attachments=[_attachment(item, i, base) for i, item in enumerate(attachments)],
        message_id=_text(document, "message_id") or None,
    )


def to_json(email: PoEmail) -> dict[str, Any]:
    """The flow's `message` parameter for `email` (attachments as base64)."""
    sender = f"{email.sender_name} <{email.sender}>" if email.sender_name else email.sender
    document: dict[str, Any] = {
        "from": sender,
        "subject": email.subject,
        "body": email.body,
        "attachments": [
            {
                "filename": a.filename,
                "content_type": a.content_type,
                "content_base64": base64.b64encode(a.content).decode(),
            }
            for a in email.attachments
        ],
    }
    if email.message_id:
        document["message_id"] = email.message_id
    return document


def from_eml(raw: bytes) -> PoEmail:
    """The PO email in an RFC 5322 message (a `.eml`, or a ticket's raw bytes)."""
    try:
        message = read_message(raw)
    except MailParseError as exc:
        raise PoInputError(f"message: {exc}") from exc
    name, address = parseaddr(str(message["From"] or ""))
    if "@" not in address:
        raise PoInputError(f"From: not an email address (got {str(message['From'] or '')!r:.80})")
    body_part = message.get_body(preferencelist=("plain", "html"))
    body = body_part.get_content() if body_part is not None else ""
    if body_part is not None and body_part.get_content_type() == "text/html":
        body = _html_text(body[: limits.MAIL_HTML_CHARS])
    body = limits.clean(body, multiline=True)[: limits.PO_BODY_CHARS]
    attachments = [
        PoAttachment(
            filename=part.get_filename() or f"attachment-{i + 1}",
            content_type=part.get_content_type(),
            content=part.get_payload(decode=True) or b"",
        )
        for i, part in enumerate(message.iter_attachments())
    ]
    return PoEmail(
        sender=address,
        sender_name=limits.one_line(name, limits.NAME_CHARS),
        subject=limits.one_line(str(message["Subject"] or ""), limits.MAIL_SUBJECT_CHARS),
        body=body,
        attachments=attachments,
        message_id=str(message["Message-ID"]).strip() if message["Message-ID"] else None,
    )


def _html_text(html: str) -> str:
    """An HTML-only email's text, table rows kept on one line each."""
    import html2text

    converter = html2text.HTML2Text()
    converter.body_width = 0
    converter.ignore_links = converter.ignore_images = converter.ignore_emphasis = True
    return converter.handle(html)


def from_raw(raw: bytes) -> PoEmail:
    """A ticket's raw bytes: the JSON this module describes, or an RFC 5322 message."""
    if raw.lstrip().startswith(b"{"):
        try:
            document = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise PoInputError(f"message: not valid JSON ({exc})") from exc
        return from_json(document)
    return from_eml(raw)


def raw_bytes(document: dict[str, Any]) -> bytes:
    """The bytes stored for a JSON message before it is parsed (canonical, so re-runs match)."""
    return json.dumps(document, sort_keys=True, ensure_ascii=False).encode()


def message_id_for(document: dict[str, Any]) -> str:
    """The message's own Message-ID, or one derived from its content (the same on every re-run)."""
    given = document.get("message_id")
    if isinstance(given, str) and given.strip():
        return limits.one_line(given, limits.MAIL_SUBJECT_CHARS)
    return f"<po-{hashlib.sha256(raw_bytes(document)).hexdigest()[:32]}@csflows.local>"
