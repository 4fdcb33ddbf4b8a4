"""Every letter csflows sends, rendered with sample values so whoever edits the wording sees the
result (`csflows letters preview`; the samples, which read each procedure's policy, are
`cli.letter_samples`). The catalog (`config/letters.yaml`) says who receives each
letter and whose wording it is; `internal_words` is what no recipient may ever read."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, Literal

from pydantic import ConfigDict, Field, model_validator

from csflows import config, templates
from csflows.errors import PolicyError
from csflows.models.common import Model
from csflows.paths import config_dir

Audience = Literal[
    "customer", "applicant", "sales agent", "supervisor", "manager", "Customer Service", "rep"
]


class Letter(Model):
    """One letter of the catalog: who reads it, and whether the seeds gave its wording."""

    audience: Audience
    wording: str = Field(description="'seed 000' for the seeds' own wording, else 'assumption'")
    procedure: str
    why: str = ""

    @model_validator(mode="after")
    def _assumption_has_a_reason(self) -> Letter:
        if self.wording == "assumption" and not self.why:
            raise ValueError("a letter whose wording is an assumption needs `why`")
        return self


class LetterCatalog(templates.Letterhead):
    """`config/letters.yaml`: the letterhead every letter shares, and each letter."""

    model_config = ConfigDict(extra="forbid")

    letters: dict[str, Letter]


class Preview(Model):
    """A letter as its recipient would read it, rendered with sample values."""

    name: str
    audience: Audience
    wording: str
    subject: str
    body: str


def catalog() -> LetterCatalog:
    """`config/letters.yaml`, checked against the templates on disk: each template is listed."""
    letters = config.load("letters", LetterCatalog)
    on_disk = {p.name.removesuffix(".txt.j2") for p in (config_dir() / "templates").glob("*.j2")}
    if missing := sorted(on_disk - letters.letters.keys()):
        raise PolicyError(f"letters.yaml: no entry for the template(s) {', '.join(missing)}")
    return letters


# What a recipient must never read: the seeds, config files and keys, unfilled values.
_INTERNAL = re.compile(
    r"\bseed 00\d|\bseeds?\b|config/|\.ya?ml\b|\bcsflows\b|\(not set\)|\bNone\b|\bnull\b"
    r"|\{\{|\}\}|\b[a-z]+_[a-z0-9_]+\b",
    re.IGNORECASE,
)


def internal_words(text: str) -> list[str]:
    """Words in `text` that belong to csflows, not to a letter (empty when the text is clean)."""
    return sorted({m.group(0) for m in _INTERNAL.finditer(text) if "@" not in _around(text, m)})


def _around(text: str, match: re.Match[str]) -> str:
    """The whitespace-delimited word holding the match (an email address may hold `_`)."""
    start = text.rfind(" ", 0, match.start()) + 1
    end = text.find(" ", match.end())
    return text[start : end if end >= 0 else len(text)]


Samples = dict[str, Callable[[], dict[str, Any]]]
"""Per letter, a function giving the values it is rendered with in a preview."""


def preview(samples: Samples, name: str | None = None) -> list[Preview]:
    """Every letter (or the one named) rendered with `samples`' values, in name order."""
    letters = catalog().letters
    names = [name] if name else sorted(letters)
    unknown = [n for n in names if n not in letters or n not in samples]
    if unknown:
        raise PolicyError(
            f"no letter named {unknown[0]!r}; the letters are: {', '.join(sorted(letters))}"
        )
    previews = []
    for letter_name in names:
        letter = letters[letter_name]
        rendered = templates.render(letter_name, **samples[letter_name]())
        previews.append(
            Preview(
                name=letter_name,
                audience=letter.audience,
                wording=letter.wording,
                subject=rendered.subject,
                body=rendered.body,
            )
        )
    return previews
