"""Render the business's standard wording (`config/templates/*.txt.j2`) into a subject and body.

A template's first line is `Subject: ...`, then a blank line, then the body. Undefined values are
errors, never blanks: a letter that would go out as "Dear :" fails instead.
"""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2

from csflows.models.common import Model
from csflows.paths import config_dir


class RenderedMessage(Model):
    template: str
    subject: str
    body: str


class TemplateError(ValueError):
    """A template is missing, malformed, or was given too few values."""


def usd(amount: Decimal | int | float | None) -> str:
    """`$2,000` or `$350.50`: how the seeds write money."""
    if amount is None:
        return "(not set)"
    value = Decimal(str(amount))
    return f"${value:,.0f}" if value == value.to_integral_value() else f"${value:,.2f}"


@lru_cache(maxsize=4)
def _environment(folder: Path) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(folder),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=False,
        autoescape=False,  # plain-text mail; HTML rendering escapes at its own boundary
    )
    env.filters["usd"] = usd
    return env


def render(name: str, folder: Path | None = None, **values: Any) -> RenderedMessage:
    """Render template `name` (without `.txt.j2`) with `values`."""
    env = _environment(folder or config_dir() / "templates")
    try:
        text = env.get_template(f"{name}.txt.j2").render(**values)
    except jinja2.TemplateNotFound as exc:
        raise TemplateError(f"template {name!r} not found in {env.loader.searchpath}") from exc  # type: ignore[union-attr]
    except jinja2.UndefinedError as exc:
        raise TemplateError(f"template {name!r}: {exc.message}") from exc
    head, _, body = text.partition("\n\n")
    if not head.startswith("Subject: "):
        raise TemplateError(f"template {name!r}: first line must be 'Subject: ...'")
    return RenderedMessage(
        template=name, subject=head.removeprefix("Subject: ").strip(), body=body.strip() + "\n"
    )
