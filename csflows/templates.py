"""Render the business's standard wording (`config/templates/*.txt.j2`) into a subject and body.

A template's first line is `Subject: ...`, then a blank line, then the body. Undefined values are
errors, never blanks: a letter that would go out as "Dear :" fails instead. The subject line is
rendered on its own and flattened to one line, so no value (a business name with a line break)
can add a mail header or move text between subject and body. A value that ends in a full stop
("Harbor Paper Co.") ends the sentence too where the wording puts a stop right after it: one stop.
Every letter may write `{{ company }}`: the business's name, set once in `config/letters.yaml`.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
from pydantic import ConfigDict, Field

from csflows import config, limits, money
from csflows.errors import TemplateError
from csflows.models.common import Model, Name
from csflows.paths import config_dir


class Letterhead(Model):
    """What every letter may say of the business itself (`config/letters.yaml`): its name."""

    model_config = ConfigDict(extra="ignore")  # the rest of letters.yaml is csflows.letters'

    company: Name = Field(min_length=1, description="the business's name as letters write it")


def letterhead() -> Letterhead:
    """`config/letters.yaml`'s letterhead (re-read when it changes)."""
    return config.load("letters", Letterhead)


class RenderedMessage(Model):
    template: str
    subject: str
    body: str


def usd(amount: Decimal | int | float | None) -> str:
    """`$2,000` or `$350.50`: how the seeds write money."""
    return "(not set)" if amount is None else money.usd(amount, cents=False)


# Put after every value that ends in a full stop; a stop the wording writes right after it goes.
_STOP_MARK = "\ue000"


def _mark_stop(value: Any) -> Any:
    """Jinja's `finalize`: a text value that ends in "." is marked, so `_one_stop` can tell the
    value's stop from the wording's."""
    return value + _STOP_MARK if isinstance(value, str) and value.endswith(".") else value


def _one_stop(text: str) -> str:
    """ "Harbor Paper Co." + "." -> "Harbor Paper Co."; the marks go."""
    return text.replace(_STOP_MARK + ".", "").replace(_STOP_MARK, "")


def _letter_usd(amount: Decimal | int | float | None) -> str:
    """`usd` for letters: an amount the letter needs but nobody set fails instead of reading
    "(not set)" to a customer."""
    if amount is None:
        raise TemplateError("an amount the letter shows is not set (guard it with `is not none`)")
    return usd(amount)


class _SubjectAndBody(jinja2.FileSystemLoader):
    """`name#subject` is the template's first paragraph alone, `name#body` the rest (on the same
    line numbers, so errors point at the file's lines)."""

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        name, _, part = template.partition("#")
        source, filename, uptodate = super().get_source(environment, name)
        head, _, body = source.partition("\n\n")
        if not head.startswith("Subject: "):
            raise TemplateError(f"template {name!r}: first line must be 'Subject: ...'")
        text = head if part == "subject" else "\n" * (head.count("\n") + 2) + body
        return text, filename, uptodate


@lru_cache(maxsize=4)
def _environment(folder: Path) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=_SubjectAndBody(folder),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=False,
        autoescape=False,  # plain-text mail; HTML rendering escapes at its own boundary
        finalize=_mark_stop,
    )
    env.filters["usd"] = _letter_usd
    return env


def render(name: str, folder: Path | None = None, **values: Any) -> RenderedMessage:
    """Render template `name` (without `.txt.j2`) with `values` and the letterhead's `company`."""
    env = _environment(folder or config_dir() / "templates")
    values = {"company": letterhead().company, **values}
    try:
        head = _one_stop(env.get_template(f"{name}.txt.j2#subject").render(**values))
        body = _one_stop(env.get_template(f"{name}.txt.j2#body").render(**values))
    except jinja2.TemplateNotFound as exc:
        raise TemplateError(f"template {name!r} not found in {env.loader.searchpath}") from exc  # type: ignore[union-attr]
    except jinja2.UndefinedError as exc:
        raise TemplateError(f"template {name!r}: {exc.message}") from exc
    subject = limits.one_line(head.removeprefix("Subject: "), limits.MAIL_SUBJECT_CHARS)
    return RenderedMessage(template=name, subject=subject, body=body.strip() + "\n")
