"""The command line fails in one line: what a new user meets first (a missing file, a bad form,
an unknown name, no Prefect server) ends in `error: ...` on stderr, with the exit code of the
error's branch and no traceback. The console script itself is run once, as a user runs it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import Result
from prefect.settings import PREFECT_API_URL, temporary_settings
from typer.testing import CliRunner

from cli import app
from csflows.errors import EXIT_CODES, InputError, NotFound, Transient
from tests.support.servers import free_port

REPOSITORY = Path(__file__).resolve().parents[2]


UNCLEAR_MAIL = (
    b"From: Kim <kim@newshop.example>\r\nTo: cs@advantus.com\r\nSubject: hi\r\n"
    b"Message-ID: <unclear-cli@shop.example>\r\n\r\nsee you then\r\n"
)
"""A mail the triage model is unsure of: its ticket goes to the review queue."""


def one_line(result: Result) -> str:
    """The single line the command wrote to stderr (and that it printed no traceback)."""
    assert "Traceback" not in result.output and "Traceback" not in result.stderr
    [line] = result.stderr.splitlines()
    return line


MISTAKES = {  # what is typed, the branch, how the line starts ({tmp}: the test's folder)
    "po a missing file": ("po {tmp}/missing.json", InputError, "{tmp}/missing.json: cannot read"),
    "triage a missing file": ("triage {tmp}/no.eml", InputError, "{tmp}/no.eml: No such file"),
    "vet a malformed form": ("vet {tmp}/bad.json --no-gate", InputError, "{tmp}/bad.json: not"),
    "import a missing file": (
        "customers import {tmp}/no.csv",
        InputError,
        "{tmp}/no.csv: nothing imported: cannot read the file",
    ),
    "an unknown division": ("customers list --division Glitter", NotFound, "unknown division"),
    "an unknown inquiry": ("inquiry show 404", NotFound, "inquiry 404 does not exist"),
}


@pytest.mark.parametrize(("typed", "branch", "starts"), MISTAKES.values(), ids=MISTAKES.keys())
def test_what_a_new_user_gets_wrong_ends_in_one_line(
    tmp_path: Path, typed: str, branch: type, starts: str
) -> None:
    (tmp_path / "bad.json").write_text('{"business_name": ')
    result = CliRunner().invoke(app, [word.format(tmp=tmp_path) for word in typed.split()])
    assert result.exit_code == EXIT_CODES[branch]
    assert one_line(result).startswith("error: " + starts.format(tmp=tmp_path))


def test_vet_with_no_prefect_server_says_the_form_was_not_submitted(tmp_path: Path) -> None:
    form = tmp_path / "form.json"
    form.write_text('{"business_name": "Sunny Crafts"}')
    nobody = f"http://127.0.0.1:{free_port()}/api"
    with temporary_settings({PREFECT_API_URL: nobody}):
        result = CliRunner().invoke(app, ["vet", str(form)], env={"PREFECT_API_URL": nobody})
    assert result.exit_code == EXIT_CODES[Transient]
    line = one_line(result)
    assert line.startswith(f"error: no Prefect server answers at {nobody} (ConnectError")
    assert "the form was not submitted; start it with scripts/start" in line


def test_the_console_script_with_no_prefect_server_prints_one_line(tmp_path: Path) -> None:
    po = tmp_path / "po.json"
    po.write_text('{"from": "buy@sunnypools.example", "subject": "PO 55", "body": "PO 55"}')
    nobody = f"http://127.0.0.1:{free_port()}/api"
    env = os.environ | {"PREFECT_API_URL": nobody, "PYTHONPATH": str(REPOSITORY)}
    done = subprocess.run(  # `python -m csflows` is the console script by another name
        [sys.executable, "-m", "csflows", "po", str(po)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == EXIT_CODES[Transient]
    assert "Traceback" not in done.stderr and done.stdout == ""
    [line] = done.stderr.splitlines()
    assert line.startswith(f"error: no Prefect server answers at {nobody}")
    assert line.endswith(
        "nothing was started; start it with scripts/start, or point "
        "PREFECT_API_URL at a server that runs"
    )
