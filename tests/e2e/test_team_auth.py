"""The team installation with Prefect's API authentication on (deployments/server.sh): a request
without the auth string is refused (reading runs, resuming a suspended one), the set-up with it
works (work-pool.sh, a served deployment, a run resumed and completed), and the secret is in no
log."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from prefect import get_client
from prefect.deployments import run_deployment

from csflows.paths import PROJECT_ROOT
from deployments.automations import CHECK_DEPLOYMENT, SILENT_RUN
from tests.support.operator_flows import DEPLOYMENT, GATE, operator_step
from tests.support.prefect_server import (
    PrefectServer,
    ServeProcess,
    prefect_client_settings,
    wait_for,
    wait_for_deployment,
    wait_for_gate,
    wait_for_state,
)

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.timeout(240)]

TEAM_SERVER = [str(PROJECT_ROOT / "deployments" / "server.sh")]


@pytest.fixture(scope="module")
def auth_string() -> str:
    return f"csflows:{secrets.token_urlsafe(24)}"


@pytest.fixture(scope="module")
def team_server(
    tmp_path_factory: pytest.TempPathFactory, auth_string: str
) -> Iterator[PrefectServer]:
    """deployments/server.sh with the auth string from the environment (on 127.0.0.1 here)."""
    settings = {"PREFECT_SERVER_API_AUTH_STRING": auth_string, "PYTHON": sys.executable}
    home = tmp_path_factory.mktemp("team")
    server = PrefectServer(home, settings=settings, command=TEAM_SERVER).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def served(team_server: PrefectServer) -> Iterator[ServeProcess]:
    command = [sys.executable, "-m", "tests.support.operator_flows"]
    serve = ServeProcess(team_server.env(), team_server.home / "serve.log", command=command)
    serve.start()
    with prefect_client_settings(team_server):
        wait_for_deployment(DEPLOYMENT)
    yield serve
    serve.stop()


def test_the_team_server_refuses_to_start_without_an_auth_string() -> None:
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_SERVER_API_AUTH_STRING"}
    done = subprocess.run(TEAM_SERVER, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode != 0
    assert "PREFECT_SERVER_API_AUTH_STRING" in done.stderr


def test_without_the_auth_string_reading_and_resuming_are_refused(
    team_server: PrefectServer, served: ServeProcess, auth_string: str
) -> None:
    with prefect_client_settings(team_server), get_client(sync_client=True) as client:
        deployment = client.read_deployment_by_name(DEPLOYMENT)
        run = client.create_flow_run_from_deployment(deployment.id, parameters={"wait": True})
        wait_for_gate(run.id, GATE, described=False, timeout=120)

    anonymous = httpx.Client(base_url=team_server.api_url, timeout=30)
    assert anonymous.post("/flow_runs/filter", json={"limit": 5}).status_code == 401
    assert anonymous.get(f"/flow_runs/{run.id}").status_code == 401
    body = {"run_input": {"decision": "approve"}}
    assert anonymous.post(f"/flow_runs/{run.id}/resume", json=body).status_code == 401
    wrong = httpx.Client(base_url=team_server.api_url, timeout=30, auth=("csflows", "guess"))
    assert wrong.post(f"/flow_runs/{run.id}/resume", json=body).status_code == 401

    user, _, password = auth_string.partition(":")
    operator = httpx.Client(base_url=team_server.api_url, timeout=30, auth=(user, password))
    with prefect_client_settings(team_server):
        assert wait_for_state(run.id, {"Suspended"}).name == "Suspended"  # still waiting
        assert operator.post(f"/flow_runs/{run.id}/resume", json=body).status_code == 201
        wait_for_state(run.id, {"Completed"}, timeout=120)


def test_csflows_serve_with_the_auth_string_runs_a_deployment(
    team_server: PrefectServer, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """`csflows serve` registers its deployments and automations through the auth string, and a
    run of one of them completes."""
    home = tmp_path_factory.mktemp("team-serve")
    env = team_server.env() | {
        "CSFLOWS_HOME": str(home),
        "PREFECT_RUNNER_POLL_FREQUENCY": "1",
        "PYTHONUNBUFFERED": "1",
    }
    serve = ServeProcess(env, home / "serve.log").start()
    try:
        with prefect_client_settings(team_server):
            wait_for_deployment(f"{CHECK_DEPLOYMENT}/{CHECK_DEPLOYMENT}")
            with get_client(sync_client=True) as client:
                wait_for("automations", lambda: client.read_automations_by_name(SILENT_RUN), 60)
                anyone = client.create_flow_run(operator_step, name="nobody-runs-this")
            run: Any = run_deployment(
                f"{CHECK_DEPLOYMENT}/{CHECK_DEPLOYMENT}",
                parameters={"flow_run_id": str(anyone.id)},
                timeout=0,
            )
            wait_for_state(run.id, {"Completed"}, timeout=150)
    finally:
        serve.stop()
    assert auth_password(team_server) not in (home / "serve.log").read_text(errors="replace")


def test_work_pool_set_up_needs_the_auth_string(
    team_server: PrefectServer, auth_string: str
) -> None:
    """After the serve test: work-pool.sh moves the same deployments to the pool."""
    script = str(PROJECT_ROOT / "deployments" / "work-pool.sh")
    env = os.environ | team_server.env() | {"PYTHON": sys.executable}
    without = {k: v for k, v in env.items() if k != "PREFECT_API_AUTH_STRING"}
    refused = subprocess.run([script], env=without, capture_output=True, text=True, timeout=120)
    assert refused.returncode != 0
    done = subprocess.run([script], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    with prefect_client_settings(team_server), get_client(sync_client=True) as client:
        assert client.read_work_pool("csflows").type == "process"
    for output in (done.stdout, done.stderr, refused.stdout, refused.stderr):
        assert auth_string.partition(":")[2] not in output


def auth_password(server: PrefectServer) -> str:
    return (server.auth_string or "").partition(":")[2]


def test_the_secret_is_in_no_log(team_server: PrefectServer, auth_string: str) -> None:
    password = auth_string.partition(":")[2]
    for log in team_server.home.glob("*.log"):
        assert password not in log.read_text(errors="replace"), log
