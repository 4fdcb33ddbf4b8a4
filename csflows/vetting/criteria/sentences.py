"""A web page as a supervisor reads it: visible sentences, each with the links inside it and
whether it is a heading. The amazon and website criteria judge sentences, not words, so that
"we do not sell on Amazon" and "the Amazon rainforest" are read as what they say."""

from __future__ import annotations

import html as html_lib
import re
from dataclasses import dataclass
from html.parser import HTMLParser

SKIPPED = {"script", "style", "noscript", "template", "svg", "head"}
HEADINGS = {"title", "h1"}  # what a page says it is
BLOCKS = HEADINGS | {
    "address", "article", "aside", "blockquote", "br", "button", "dd", "details", "dialog",
    "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h2", "h3", "h4",
    "h5", "h6",
    "header", "hr", "label", "li", "main", "nav", "ol", "option", "p", "pre", "section",
    "summary", "table", "td", "th", "tr", "ul",
}  # fmt: skip
# a full stop after these is not the end of a sentence
ABBREVIATIONS = re.compile(
    r"(?i)(?:\b(?:e\.g|i\.e|etc|inc|co|corp|ltd|llc|st|dr|mr|mrs|ms|no|vs|approx|ave|blvd|"
    r"u\.s|u\.k|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec|mon|tue|wed|thu|fri|sat|sun)"
    r"|\b[A-Z])\.$"
)
SENTENCE_END = re.compile(r"""(?<=[.!?])["'”’)\]]*\s+(?=["'“‘(\[]?[A-Z0-9#$£€])|\s+[|·•]\s+""")


@dataclass(frozen=True)
class Sentence:
    """One sentence of a page: its text, the hrefs of the links inside it, and whether it is the
    page's title or main heading (h1)."""

    text: str
    links: tuple[str, ...] = ()
    heading: bool = False


@dataclass(frozen=True)
class ReadPage:
    """What a page shows a reader: its sentences, and whether it asks for a password."""

    sentences: tuple[Sentence, ...]
    password_field: bool = False

    @property
    def words(self) -> int:
        return sum(len(s.text.split()) for s in self.sentences)


class _Reader(HTMLParser):
    """Collects visible text block by block, with the character spans of the links in it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[tuple[str, list[tuple[int, int, str]], bool]] = []
        self.password_field = False
        self._text: list[str] = []
        self._links: list[tuple[int, int, str]] = []
        self._heading = False
        self._skip = 0
        self._title = False
        self._href: str | None = None
        self._href_start = 0

    def _length(self) -> int:
        return sum(len(t) for t in self._text)

    def _flush(self) -> None:
        if self._href is not None:  # a link left open at the end of its block
            self._links.append((self._href_start, self._length(), self._href))
            self._href_start = 0
        text = "".join(self._text)
        if text.strip() or self._links:
            self.blocks.append((text, self._links, self._heading))
        self._text, self._links, self._heading = [], [], False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "title":
            self._flush()
            self._title = True
            self._heading = True
            return
        if tag in SKIPPED:
            self._skip += 1
            return
        if self._skip:
            return
        if tag == "input" and values.get("type", "").lower() == "password":
            self.password_field = True
        if tag in BLOCKS:
            heading = self._heading and tag in ("br", "hr")
            self._flush()
            self._heading = heading or tag in HEADINGS
        if tag == "a" and values.get("href"):
            self._href, self._href_start = values["href"].strip(), self._length()
            if label := values.get("aria-label") or values.get("title"):
                self._text.append(f" {label} ")
        elif tag == "img" and self._href is not None and values.get("alt"):
            self._text.append(f" {values['alt']} ")

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._flush()
            self._title = False
            return
        if tag in SKIPPED:
            self._skip = max(0, self._skip - 1)
            return
        if self._skip:
            return
        if tag == "a" and self._href is not None:
            self._links.append((self._href_start, self._length(), self._href))
            self._href = None
        if tag in BLOCKS:
            self._flush()

    def handle_data(self, data: str) -> None:
        if self._skip and not self._title:
            return
        self._text.append(data)

    def close(self) -> None:
        super().close()
        self._flush()


def split_sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of one block of text; abbreviations do not end one."""
    spans: list[tuple[int, int]] = []
    start = 0
    for match in SENTENCE_END.finditer(text):
        bar = any(c in match.group(0) for c in "|·•")
        if not bar and ABBREVIATIONS.search(text[start : match.start()]):
            continue
        spans.append((start, match.start()))
        start = match.end()
    spans.append((start, len(text)))
    return spans


def _normal(text: str) -> str:
    return re.sub(r"\s+", " ", html_lib.unescape(text)).strip()


def read_page(page_html: str) -> ReadPage:
    """The page's visible sentences in order, the title first if it comes first."""
    reader = _Reader()
    reader.feed(page_html)
    reader.close()
    sentences: list[Sentence] = []
    for text, links, heading in reader.blocks:
        placed: set[int] = set()
        for start, end in split_sentences(text):
            inside = [
                i for i, (a, b, _) in enumerate(links) if a < end and b > start or a == b == start
            ]
            placed.update(inside)
            words = _normal(text[start:end])
            if words or inside:
                sentences.append(Sentence(words, tuple(links[i][2] for i in inside), heading))
        for i, (_, _, href) in enumerate(links):
            if i not in placed:  # a link with no text of its own (an icon)
                sentences.append(Sentence("", (href,), heading))
    return ReadPage(tuple(sentences), reader.password_field)
