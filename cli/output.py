"""How the CLI reports: JSON to stdout for machines, clear errors to stderr with exit code 1."""

from __future__ import annotations

import json
import sys
from datetime import datetime
from typing import Any, NoReturn

import typer


def emit_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, indent=2, default=str) + "\n")


def fail(message: str, code: int = 1) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def instant(value: str, option: str) -> datetime:
    """An option's ISO 8601 instant with a UTC offset (or Z); a clear error otherwise."""
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        fail(f"{option}: expected an ISO instant such as 2026-03-16T09:30-05:00, got {value!r}")
    if parsed.tzinfo is None:
        fail(f"{option}: {value!r} has no UTC offset; add one, e.g. -05:00 or Z")
    return parsed
