"""`csflows classify`: JSON Lines or .eml in, JSON Lines with the interface's keys out."""

from __future__ import annotations

import json
from email.message import EmailMessage
from pathlib import Path

from typer.testing import CliRunner

from cli import app
from csflows.errors import EXIT_CODES, InputError

RUNNER = CliRunner()


def _lines(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines() if line.startswith("{")]


def test_json_lines_from_stdin() -> None:
    rows = [
        {
            "id": "a",
            "from": "ravi@giftbarn.example",
            "to": ["cs@advantus.com"],
            "subject": "RFQ: 40 cases of ribbon",
            "body": "Please quote.",
            "attachments": [],
        },
        {
            "id": "b",
            "from": "mary.callie@advantus.com",
            "to": ["kim@school.example"],
            "subject": "Quote Q-20999 attached",
            "body": "Attached is our quote.",
            "attachments": ["Q-20999.pdf"],
        },
    ]
    result = RUNNER.invoke(
        app, ["classify", "-"], input="\n".join(json.dumps(r) for r in rows) + "\n"
    )
    assert result.exit_code == 0, result.output
    first, second = _lines(result.stdout)
    assert set(first) == {
        "id",
        "type",
        "confidence",
        "assignee",
        "auto_resolve",
        "needs_review",
        "alternatives",
    }
    for line in (first, second):  # typed by the model: the next two types, less likely
        assert len(line["alternatives"]) == 2
        for alternative in line["alternatives"]:
            assert set(alternative) == {"type", "probability"}
            assert alternative["probability"] <= line["confidence"]
    assert (first["id"], first["type"], first["auto_resolve"]) == (
        "a",
        "QUOTE - Request for Quote",
        False,
    )
    # Mary Callie gets a quote request the model is sure of; a person first types an unsure one
    assert first["assignee"] == ("Customer Service" if first["needs_review"] else "Mary Callie")
    assert (second["type"], second["needs_review"]) == ("QUOTE - Quote Letter Document", False)
    assert second["auto_resolve"]  # our own quote letter: no response needed (seed 004)


def test_a_bad_line_is_named_and_the_rest_still_classified(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text(
        '{"id": "x", "from": "not-an-address"}\n[1, 2]\n{"id": "y", "from": "a@shop.example", "subject": "Where is my order?", "body": "PO 5521 has not shipped"}\n'
    )
    result = RUNNER.invoke(app, ["classify", str(path)])
    assert result.exit_code == EXIT_CODES[InputError]
    assert "line 1: from: expected a mail address, got 'not-an-address'" in result.stderr
    assert "line 2: expected a JSON object" in result.stderr
    assert [r["id"] for r in _lines(result.stdout)] == ["y"]


def test_an_eml_file(tmp_path: Path) -> None:
    msg = EmailMessage()
    msg["From"] = "owner@newshop.example"
    msg["To"] = "cs@advantus.com"
    msg["Subject"] = "New account request"
    msg["Message-ID"] = "<acct-1@newshop.example>"
    msg.set_content("We would like to open a wholesale account.")
    path = tmp_path / "m.eml"
    path.write_bytes(msg.as_bytes())
    result = RUNNER.invoke(app, ["classify", str(path)])
    assert result.exit_code == 0, result.output
    [row] = _lines(result.stdout)
    assert (
        row["id"] == "<acct-1@newshop.example>" and row["type"] == "New Customer - Account Request"
    )


def test_a_missing_file_is_an_error() -> None:
    result = RUNNER.invoke(app, ["classify", "/nonexistent/in.jsonl"])
    assert result.exit_code == EXIT_CODES[InputError] and "no such file" in result.stderr
