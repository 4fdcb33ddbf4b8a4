"""How the CLI reports: JSON to stdout for machines, clear errors to stderr with exit code 1."""

from __future__ import annotations

import json
import sys
from typing import Any, NoReturn

import typer


def emit_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, indent=2, default=str) + "\n")


def fail(message: str, code: int = 1) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)
