"""Outside text in Prefect artifacts, made inert: the UI renders markdown artifacts, and table
artifacts' cells, as markdown (raw HTML included), so applicants' and senders' names, subjects
and addresses are escaped here, in one place, before anything publishes them."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import quote, urlsplit

# What could start a tag, an entity, a link, emphasis, code or a table cell.
_INLINE = re.compile(r"([\\`*_{}\[\]<>|~&])")
# The same after HTML escaping (which leaves no `<` and `&` only in entities), and the characters
# that start headings, lists, images and link targets.
_STRICT = re.compile(r"([\\`*_{}\[\]()#+\-.!|>~])")


def one_line(text: object) -> str:
    """`text` as one line: whitespace runs (line breaks included) become one space."""
    return " ".join(str(text if text is not None else "").split())


def escape(text: object) -> str:
    """Outside text as inert markdown on one line: every character that could start a tag,
    an entity, a link, emphasis, code or a table cell is backslash-escaped (CommonMark)."""
    return _INLINE.sub(r"\\\1", one_line(text))


def escape_strict(text: object) -> str:
    """Outside text as inert markdown on one line, stricter than `escape`: HTML-escaped first
    (`<` shows as `&lt;` even where backslashes are not honoured), then block markup escaped too."""
    return _STRICT.sub(r"\\\1", html.escape(one_line(text)))


def literal(text: object) -> str:
    """Outside URLs and addresses as code: shown exactly, never a link or markup."""
    flat = one_line(text).replace("`", "'").replace("|", "\\|")
    return f"`{flat}`" if flat else ""


def safe_link(label: str, url: str | None) -> str:
    """A markdown link only for http(s) URLs; anything else is shown as escaped text."""
    if not url:
        return escape(label)
    parts = urlsplit(url.strip())
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        return f"{escape(label)} ({escape(url)})"
    target = quote(url.strip(), safe=":/?&=%#+,;@~._-")
    return f"[{escape(label)}]({target})"


def inert_table(rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """`rows` with every text cell escaped (numbers and dates as they are)."""
    return [{k: escape(v) if isinstance(v, str) else v for k, v in row.items()} for row in rows]
