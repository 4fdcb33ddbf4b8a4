"""`csflows classify [FILE|-]`: ticket types for messages, as JSON Lines (seed 004)."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

import typer

from csflows.errors import EXIT_CODES, InputError, MailParseError
from csflows.triage.mail.inbound import InboundMail, mail_from_json
from csflows.triage.mail.message import parse_message
from csflows.triage.policy import TicketTypes, ticket_types

BATCH = 500  # messages typed together: the model is much faster a batch at a time


def _read(source: str) -> Iterator[tuple[str, InboundMail | str]]:
    """(id, mail) per message, or (id, error) for one that cannot be read."""
    if source.lower().endswith(".eml"):
        path = Path(source)
        try:
            ticket = parse_message(path.read_bytes())
        except (OSError, MailParseError) as exc:
            yield path.name, f"{source}: {exc}"
            return
        yield ticket.message_id, InboundMail.from_ticket(ticket)
        return
    stream = sys.stdin if source == "-" else Path(source).open(encoding="utf-8")  # noqa: SIM115
    with stream:
        for number, line in enumerate(stream, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                if not isinstance(row, dict):
                    raise ValueError("expected a JSON object")
                yield str(row.get("id", number)), mail_from_json(row)
            except ValueError as exc:
                yield str(number), f"line {number}: {exc}"


def classify(
    source: str = typer.Argument(
        "-", help="JSON Lines (id, from, to, subject, body, attachments), a .eml file, or -"
    ),
) -> None:
    """Classify messages; writes id, type, confidence, assignee, auto_resolve, needs_review and
    the next two types per line (by the promoted triage model, else the shipped one)."""
    policy = ticket_types()
    if source != "-" and not Path(source).is_file():
        raise InputError(f"{source}: no such file")
    errors = 0
    batch: list[tuple[str, InboundMail]] = []
    for message_id, item in _read(source):
        if isinstance(item, str):
            errors += 1
            typer.echo(f"error: {item}", err=True)
            continue
        batch.append((message_id, item))
        if len(batch) >= BATCH:
            _write(batch, policy)
            batch = []
    _write(batch, policy)
    if errors:  # each was named on its line; the rest were typed
        raise typer.Exit(EXIT_CODES[InputError])


def _write(batch: list[tuple[str, InboundMail]], policy: TicketTypes) -> None:
    if not batch:
        return
    from csflows.triage.classifier.current import classify_many  # scikit-learn: seconds

    decisions = classify_many([mail for _, mail in batch], policy)
    for (message_id, _), decision in zip(batch, decisions, strict=True):
        out = {
            "id": message_id,
            "type": decision.type,
            "confidence": decision.confidence,
            "assignee": decision.assignee,
            "auto_resolve": decision.auto_resolve,
            "needs_review": decision.needs_triage,
            "alternatives": [{"type": t, "probability": p} for t, p in decision.alternatives],
        }
        sys.stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
    sys.stdout.flush()
