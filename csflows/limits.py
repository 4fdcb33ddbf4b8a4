"""Input limits, in one place: how long a form answer or a mail header may be, how big a form file
or a PDF, how deep a MIME message; and which characters no text we store or send may hold.

Values outside these limits come from mistakes or from attackers; either way they are refused
with the field and the limit named, or (mail we must not lose) kept shortened and cleaned.
"""

from __future__ import annotations

import re

# --- form answers (New Customer Inquiry Form, customer import), in characters -----------------
NAME_CHARS = 200  # business, DBA, contact, storefront and customer names
EMAIL_CHARS = 320  # RFC 5321: 64 + @ + 255
PHONE_CHARS = 40
LINE_CHARS = 200  # street, city, region, postal code, country, division, tax id, one product line
URL_CHARS = 2000
TEXT_CHARS = 5000  # free text: the products a business sells today, an address on one line
LIST_ITEMS = 50  # product lines on one form
AMOUNT_DIGITS = 14  # dollar amounts (the store's Numeric(14, 2))
FORM_FILE_BYTES = 2 * 1024 * 1024  # a JSON, YAML or PDF form file
SCAN_FILE_BYTES = 20 * 1024 * 1024  # a scan or photo of a form (a phone's photo is a few MB)

# --- PDFs (inquiry forms, purchase orders, attachments) ---------------------------------------
PDF_FILE_BYTES = 10 * 1024 * 1024
PDF_PAGES = 50
PDF_STREAM_BYTES = 20 * 1024 * 1024  # decompressed size of any one stream (a PDF bomb stops here)
PDF_STREAM_OPERATIONS = 500_000  # operators and operands parsed per content stream

# --- inbound mail ------------------------------------------------------------------------------
MAIL_SUBJECT_CHARS = 998  # RFC 5322's line length
MAIL_HEADER_CHARS = 16_000  # any one header, unfolded (long References lists fit)
MAIL_TEXT_CHARS = 20_000  # kept per body or attachment
MAIL_HTML_CHARS = 200_000  # HTML read into text per body (html2text takes seconds per MB)
PO_BODY_CHARS = 200_000  # a purchase order's mail body, read for its number, lines and total
MIME_SECTIONS = 50  # multipart or attached-message sections (parsing nests once per section)

# Characters refused in every field: C0/C1 controls (NUL, ESC, ...), DEL, bidirectional overrides
# and isolates that make text display other than it reads (U+202A-U+202E, U+2066-U+2069),
# Unicode line and paragraph separators, and lone surrogates. Multi-line text may keep tab, LF, CR.
_ANYWHERE = r"\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029\ud800-\udfff"
_ONE_LINE_UNSAFE = re.compile(rf"[\x00-\x1f{_ANYWHERE}]")
_MULTILINE_UNSAFE = re.compile(rf"[\x00-\x08\x0b\x0c\x0e-\x1f{_ANYWHERE}]")


def unsafe_character(text: str, multiline: bool = False) -> str | None:
    """`'U+0000 at position 4'` for the first character `text` may not hold, else None."""
    match = (_MULTILINE_UNSAFE if multiline else _ONE_LINE_UNSAFE).search(text)
    if match is None:
        return None
    return f"U+{ord(match.group()):04X} at position {match.start() + 1}"


def check_line(text: str) -> str:
    """A pydantic validator: one line of text without control or bidi-override characters."""
    found = unsafe_character(text)
    if found:
        raise ValueError(f"must be one line without control characters (found {found})")
    return text


def check_text(text: str) -> str:
    """A pydantic validator: text that may span lines, without control or bidi-override characters."""
    found = unsafe_character(text, multiline=True)
    if found:
        raise ValueError(f"must not contain control characters (found {found})")
    return text


def clean(text: str, multiline: bool = False) -> str:
    """`text` without the characters `unsafe_character` names (for mail we keep, not refuse)."""
    return (_MULTILINE_UNSAFE if multiline else _ONE_LINE_UNSAFE).sub("", text)


def one_line(text: str, max_chars: int | None = None) -> str:
    """`text` on one line: line breaks and runs of spaces become one space, unsafe characters go."""
    flat = " ".join(clean(" ".join(text.split())).split())
    return flat[:max_chars] if max_chars is not None else flat


def too_long(what: str, size: int, limit: int, unit: str = "characters") -> str:
    """`'Subject: 1,000,000 characters; the limit is 998'`: the wording of every size refusal."""
    return f"{what}: {size:,} {unit}; the limit is {limit:,}"
