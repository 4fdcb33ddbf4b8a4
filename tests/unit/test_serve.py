"""`csflows serve` builds its deployments from prefect.yaml, the one list; `--stand-ins` serves\nthem in the demo world, and only on this machine."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli import app
from csflows.paths import PROJECT_ROOT
from deployments.serve import build_deployments, deployment_specs, load_flow
from deployments.stand_ins.world import TAG, StandInWorld, point_at, refusal


def test_every_declared_deployment_loads_its_flow() -> None:
    specs = deployment_specs()
    names = [spec["name"] for spec in specs]
    assert len(names) == len(set(names)), f"deployment names repeat: {names}"
    for spec in specs:
        assert load_flow(spec["entrypoint"]).fn is not None


def test_builds_schedules_and_tags(tmp_path: Path) -> None:
    (tmp_path / "prefect.yaml").write_text(
        "deployments:\n"
        "  - name: hello\n"
        "    entrypoint: tests/unit/sample_flow.py:hello\n"
        "    tags: [division:cop]\n"
        "    parameters: {who: ops}\n"
        "    schedules:\n"
        "      - cron: '0 * * * 1-5'\n"
        "        timezone: America/Chicago\n"
    )
    [deployment] = build_deployments(tmp_path / "prefect.yaml")
    assert deployment.name == "hello"
    assert deployment.tags == ["division:cop"]
    assert deployment.parameters == {"who": "ops"}
    assert deployment.schedules[0].schedule.cron == "0 * * * 1-5"
    [in_the_demo_world] = build_deployments(tmp_path / "prefect.yaml", tags=[TAG])
    assert in_the_demo_world.tags == ["division:cop", TAG]


@pytest.mark.parametrize(
    ("setting", "value", "why"),
    [
        ("PREFECT_API_URL", "https://prefect.team.example/api", "not a Prefect server on this"),
        ("CSFLOWS_DATABASE_URL", "postgresql://db.team.example/csflows", "a shared store"),
        ("CSFLOWS_SMTP_HOST", "smtp.team.example", "a mail server elsewhere"),
    ],
)
def test_the_stand_ins_refuse_a_teams_server_store_or_mail(
    setting: str, value: str, why: str
) -> None:
    """Real applicants are never checked against stand-ins, and the demo's mail stays here."""
    local = {"PREFECT_API_URL": "http://127.0.0.1:4200/api", "CSFLOWS_SMTP_HOST": "127.0.0.1"}
    assert refusal(local) is None
    assert why in (refusal({**local, setting: value}) or "")


def test_serving_the_stand_ins_drops_what_reaches_outside(tmp_path: Path) -> None:
    (tmp_path / "inquiries").mkdir()
    world = StandInWorld(tmp_path).start()
    environ = {"CSFLOWS_IMAP_SALES_HOST": "imap.team.example", "CSFLOWS_TWILIO_ACCOUNT_SID": "AC1"}
    try:
        point_at(world, environ)
    finally:
        world.stop()
    assert not any(k.startswith(("CSFLOWS_IMAP_", "CSFLOWS_TWILIO_")) for k in environ)
    assert environ["CSFLOWS_SKIP_BLOCK_LOOKUP"] == "1"  # a saved block cannot point outside
    assert environ["CSFLOWS_RDAP_BASE_URL"].startswith("http://127.0.0.1:")


def test_serve_with_stand_ins_refuses_a_team_server(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PREFECT_API_URL", "https://prefect.team.example/api")
    result = CliRunner().invoke(app, ["serve", "--stand-ins"])
    assert result.exit_code != 0
    assert "--stand-ins: PREFECT_API_URL (prefect.team.example)" in result.output


def test_a_schedule_needs_cron_or_interval(tmp_path: Path) -> None:
    (tmp_path / "prefect.yaml").write_text(
        "deployments:\n  - name: x\n    entrypoint: tests/unit/sample_flow.py:hello\n    schedules: [{rrule: x}]\n"
    )
    with pytest.raises(ValueError, match="needs cron or interval"):
        build_deployments(tmp_path / "prefect.yaml")


def test_project_root_holds_prefect_yaml() -> None:
    assert (PROJECT_ROOT / "prefect.yaml").is_file()


def test_the_start_says_what_it_does_and_which_port_it_takes() -> None:
    """`scripts/start --help` exits before it installs or starts anything."""
    import subprocess

    shown = subprocess.run(
        ["bash", str(PROJECT_ROOT / "scripts" / "start"), "--help"],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    ).stdout
    for told in ("--demo", "CSFLOWS_PORT", "CSFLOWS_HOME", "CSFLOWS_SMTP_HOST", "Ctrl-C"):
        assert told in shown, told
