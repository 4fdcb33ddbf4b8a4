"""Triage as IMAP keywords the team's mail client shows: one for the ticket type, one for the
assignee, one for resolved, e.g. `csflows-type:Sales_Order-Sales_Order_Received!`.

An IMAP keyword is an atom (RFC 3501: no space, no `(){%*"\\]`, ASCII only), and Dovecot keeps
keywords to 50 characters by default (`mail_max_keyword_length`). So a name is written readably:
" - " becomes "-", other spaces "_", any other character outside the atom set "_"; a name that
would still be too long is cut and ends in "~" and four hex digits of its SHA-1, which keeps
keywords of different names apart. Reading a keyword back is by lookup among the known names
(ticket types, people), not by undoing the spelling.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable

PREFIX = "csflows-"
TYPE = "type"
ASSIGNEE = "assignee"
RESOLVED = f"{PREFIX}resolved"
MAX_LENGTH = 50  # Dovecot's default mail_max_keyword_length

_NOT_ATOM = re.compile(r"[^A-Za-z0-9!#$&'+,./:;<=>?@^_`|~-]")


def spelled(name: str) -> str:
    """The name as an atom: " - " as "-", spaces and non-atom characters as "_"."""
    text = re.sub(r"\s+-\s+", "-", name.strip())
    text = re.sub(r"\s+", "_", text)
    return _NOT_ATOM.sub("_", text)


def keyword(kind: str, name: str, max_length: int = MAX_LENGTH) -> str:
    """`csflows-<kind>:<name spelled>`, cut to `max_length` with a hash of the name."""
    word = f"{PREFIX}{kind}:{spelled(name)}"
    if len(word) <= max_length:
        return word
    digest = hashlib.sha1(name.encode()).hexdigest()[:4]
    return f"{word[: max_length - 5]}~{digest}"


def name_of(word: str, kind: str, names: Iterable[str], max_length: int = MAX_LENGTH) -> str | None:
    """The known name whose keyword of `kind` is `word` (case-insensitive, as clients compare)."""
    for name in names:
        if keyword(kind, name, max_length).casefold() == word.casefold():
            return name
    return None


def keywords_for(
    type_name: str | None, assignee: str | None, resolved: bool, max_length: int = MAX_LENGTH
) -> set[str]:
    """The keywords a ticket's message should carry."""
    words = {RESOLVED} if resolved else set()
    if type_name:
        words.add(keyword(TYPE, type_name, max_length))
    if assignee:
        words.add(keyword(ASSIGNEE, assignee, max_length))
    return words


def is_ours(word: str) -> bool:
    """A keyword csflows set (and may therefore replace); the team's own keywords are left."""
    return word.casefold().startswith(PREFIX)
