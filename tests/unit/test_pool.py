"""`deployments/pool.py` reads what `prefect deploy` would from prefect.yaml, and refuses an entry
that names no work pool before sending anything."""

from __future__ import annotations

from pathlib import Path

import pytest

from deployments.pool import deploy_all, pull_steps, work_pool_of
from deployments.serve import deployment_specs


def test_every_deployment_names_the_csflows_pool() -> None:
    assert {work_pool_of(spec)["name"] for spec in deployment_specs()} == {"csflows"}


def test_workers_change_to_their_own_checkout() -> None:
    [step] = pull_steps()
    directory = step["prefect.deployments.steps.set_working_directory"]["directory"]
    assert directory == "{{ $CSFLOWS_PROJECT_DIR }}"


def test_an_entry_without_a_work_pool_is_refused_by_name(tmp_path: Path) -> None:
    (tmp_path / "prefect.yaml").write_text(
        "deployments:\n  - name: hello\n    entrypoint: tests/unit/sample_flow.py:hello\n"
    )
    with pytest.raises(ValueError, match="deployment 'hello' needs work_pool.name"):
        deploy_all(tmp_path / "prefect.yaml")
