"""A team back on `csflows serve` after the work pool, on the same Prefect server: the deployments
the pool script registered under the same names (with its pull steps and no code path) load
their code in the serve process's runs, as Prefect's flow-run process does it."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

import pytest
from prefect import get_client
from prefect.client.schemas.actions import WorkPoolCreate
from prefect.exceptions import ObjectAlreadyExists
from prefect.flows import load_flow_from_flow_run
from prefect.utilities.asyncutils import run_coro_as_sync

from deployments.pool import deploy_all
from deployments.serve import build_deployments, take_back_from_pool

POOL = "serve-after-pool"
PROJECT = f"""
pull:
  - prefect.deployments.steps.set_working_directory:
      directory: "{{{{ $CSFLOWS_PROJECT_DIR }}}}"
deployments:
  - name: hello-after-pool
    entrypoint: tests/unit/sample_flow.py:hello
    work_pool:
      name: {POOL}
"""


@pytest.fixture
def deployed_to_the_pool(tmp_path: Path) -> Path:
    """A prefect.yaml deployed to its process work pool, as deployments/work-pool.sh does."""
    spec = tmp_path / "prefect.yaml"
    spec.write_text(PROJECT)
    with get_client(sync_client=True) as client, contextlib.suppress(ObjectAlreadyExists):
        client.create_work_pool(WorkPoolCreate(name=POOL, type="process"))
    deploy_all(spec)
    return spec


def served_run_loads(deployment: Any, tmp_path: Path) -> Any:
    """Serve's own registration of `deployment` (what Runner.add_deployment does), a run of it,
    and the flow that run's process loads (the runner gives it a storage folder of its own)."""
    deployment_id = deployment.apply()
    with get_client(sync_client=True) as client:
        run = client.create_flow_run_from_deployment(deployment_id)
    runner_folder = tmp_path / "runner"
    runner_folder.mkdir(exist_ok=True)
    return run_coro_as_sync(load_flow_from_flow_run(run, storage_base_path=str(runner_folder)))


def test_a_deployment_served_after_the_pool_loads_the_code_of_the_serve_process(
    deployed_to_the_pool: Path, tmp_path: Path
) -> None:
    [deployment] = build_deployments(deployed_to_the_pool)
    assert take_back_from_pool([deployment]) == ["hello/hello-after-pool"]

    assert served_run_loads(deployment, tmp_path).name == "hello"
    with get_client(sync_client=True) as client:
        stored = client.read_deployment_by_name("hello/hello-after-pool")
    assert not stored.pull_steps and stored.storage_document_id is None
    assert take_back_from_pool([deployment]) == []  # served again: nothing left to change
