"""The quick start saves its mail catcher as the SMTP block, so a command run in another terminal
sends mail where the served deployments send it; a team's own mail server is never replaced."""

from __future__ import annotations

from uuid import uuid4

import pytest
from pydantic import SecretStr

from blocks import SmtpServer, resolve
from deployments.mail_catcher import keep_catcher_block, main, saved_block


def _name() -> str:
    return f"start-{uuid4().hex[:8]}"  # one block per test: the harness is the session's


def test_a_command_line_process_finds_the_catcher_through_the_server(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(
        "CSFLOWS_SKIP_BLOCK_LOOKUP", raising=False
    )  # the suite's guard; a team's process looks
    name = _name()
    assert keep_catcher_block(8025, environ={}, name=name) == "saved"
    found = resolve(
        SmtpServer, name, environ={}
    )  # as `csflows triage` does, with no CSFLOWS_SMTP_*
    assert (found.host, found.port, found.starttls, found.ssl) == ("127.0.0.1", 8025, False, False)


def test_a_later_start_moves_its_own_catcher_to_the_new_port() -> None:
    name = _name()
    keep_catcher_block(8025, environ={}, name=name)
    assert keep_catcher_block(8125, environ={"CSFLOWS_MAIL_FROM": "cs@shop.example"}, name=name)
    found = saved_block(name)
    assert found is not None and (found.port, found.mail_from) == (8125, "cs@shop.example")


@pytest.mark.parametrize(
    "team",
    [
        SmtpServer(host="smtp.team.example", port=587, starttls=True, username="cs"),
        SmtpServer(host="127.0.0.1", port=25),  # a relay on this machine
    ],
)
def test_a_teams_saved_mail_server_is_kept(team: SmtpServer) -> None:
    name = _name()
    team.password = SecretStr("hunter2")
    team.save(name)
    assert keep_catcher_block(8025, environ={}, name=name) == "teams"
    kept = saved_block(name)
    assert kept is not None and (kept.host, kept.port) == (team.host, team.port)
    assert kept.password is not None and kept.password.get_secret_value() == "hunter2"


def test_the_demo_keeps_mail_on_this_machine_whatever_was_saved() -> None:
    name = _name()
    SmtpServer(host="smtp.team.example", port=587).save(name)
    assert keep_catcher_block(8025, environ={}, demo=True, name=name) == "saved"
    found = saved_block(name)
    assert found is not None and found.host == "127.0.0.1"


def test_the_start_is_told_the_team_sends_and_sees_no_secret(
    capsys: pytest.CaptureFixture[str],
) -> None:
    name = _name()
    team = SmtpServer(host="smtp.team.example", port=465, ssl=True, password=SecretStr("s3cret"))
    team.save(name)
    assert main(["8025"], name=name) == 3
    said = capsys.readouterr().err
    assert "smtp.team.example:465" in said and "s3cret" not in said
