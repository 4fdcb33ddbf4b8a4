"""`csflows serve` builds its deployments from prefect.yaml, the one list."""

from __future__ import annotations

from pathlib import Path

import pytest

from csflows.paths import PROJECT_ROOT
from deployments.serve import build_deployments, deployment_specs, load_flow


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


def test_a_schedule_needs_cron_or_interval(tmp_path: Path) -> None:
    (tmp_path / "prefect.yaml").write_text(
        "deployments:\n  - name: x\n    entrypoint: tests/unit/sample_flow.py:hello\n    schedules: [{rrule: x}]\n"
    )
    with pytest.raises(ValueError, match="needs cron or interval"):
        build_deployments(tmp_path / "prefect.yaml")


def test_project_root_holds_prefect_yaml() -> None:
    assert (PROJECT_ROOT / "prefect.yaml").is_file()
