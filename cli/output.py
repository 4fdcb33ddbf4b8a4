"""How the CLI reports: JSON to stdout for machines. A command that cannot go on raises a
csflows error; the entry point (cli/__init__.py) prints it in one line with its branch's exit code,
and a flow a command runs in this process logs no tracebacks to the terminal."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from csflows.errors import InputError


def emit_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, indent=2, default=str) + "\n")


def instant(value: str, option: str) -> datetime:
    """An option's ISO 8601 instant with a UTC offset (or Z); a clear error otherwise."""
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise InputError(
            f"{option}: expected an ISO instant such as 2026-03-16T09:30-05:00, got {value!r}"
        ) from exc
    if parsed.tzinfo is None:
        raise InputError(f"{option}: {value!r} has no UTC offset; add one, e.g. -05:00 or Z")
    return parsed


class _WithoutTraceback(logging.Formatter):
    """A console formatter's lines without the traceback (the run's log on the server keeps it)."""

    def __init__(self, inner: logging.Formatter) -> None:
        super().__init__()
        self.inner = inner

    def format(self, record: logging.LogRecord) -> str:
        kept = record.exc_info, record.exc_text, record.stack_info
        record.exc_info, record.exc_text, record.stack_info = None, None, None
        try:
            return self.inner.format(record)
        finally:
            record.exc_info, record.exc_text, record.stack_info = kept


@contextmanager
def console_without_tracebacks() -> Iterator[None]:
    """While a command runs a flow in this process, Prefect's console log prints each record as
    one line (the run's log on the Prefect server keeps the traceback): the command's error line says
    what happened and what to do."""
    from prefect.logging.handlers import PrefectConsoleHandler

    handlers = [
        h
        for h in logging.getLogger().handlers
        if isinstance(h, PrefectConsoleHandler) and not isinstance(h.formatter, _WithoutTraceback)
    ]
    formatters = [h.formatter for h in handlers]
    for handler, formatter in zip(handlers, formatters, strict=True):
        handler.setFormatter(_WithoutTraceback(formatter or logging.Formatter()))
    try:
        yield
    finally:
        for handler, formatter in zip(handlers, formatters, strict=True):
            handler.setFormatter(formatter)
