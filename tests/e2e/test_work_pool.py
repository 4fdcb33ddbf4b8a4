"""Beyond one machine: `deployments/work-pool.sh` creates the `csflows` process work pool and
deploys prefect.yaml to it; three `prefect worker start` processes (stand-ins for three machines)
share the runs. Every run completes once, on one worker, and more than one worker takes part."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
from prefect import get_client
from prefect.deployments import run_deployment
from sqlalchemy import func, select

from csflows import customers, store
from csflows.paths import PROJECT_ROOT, config_dir
from csflows.store.tables import TierHistoryRow
from deployments.serve import deployment_specs
from tests.support.prefect_server import (
    PrefectServer,
    ServeProcess,
    prefect_client_settings,
    wait_for,
    wait_for_state,
)
from tests.support.servers import SmtpServer

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

DEPLOYMENT = "recompute-tiers/recompute-tiers"  # needs only the store (and SMTP, for mail)
WORKERS = ("worker-a", "worker-b", "worker-c")
MONTHS = [date(2025, m, 28) for m in range(1, 7)]
DEMO_CUSTOMERS = 6  # config/demo/customers.csv


def run_work_pool_script(server: PrefectServer) -> list[str]:
    """`deployments/work-pool.sh` against `server`, with this interpreter's environment."""
    env = os.environ | server.env() | {"PYTHON": sys.executable}
    done = subprocess.run(
        [str(PROJECT_ROOT / "deployments" / "work-pool.sh")],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, f"work-pool.sh failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout.splitlines()


def worker(server: PrefectServer, name: str, log: Path) -> ServeProcess:
    """One `prefect worker start` on the pool, running one flow run at a time."""
    prefect = str(Path(sys.executable).with_name("prefect"))
    command = [prefect, "worker", "start", "--pool", "csflows", "--type", "process"]
    env = server.env() | {"PREFECT_WORKER_QUERY_SECONDS": "1"}
    return ServeProcess(env, log, [*command, "--name", name, "--limit", "1"])


def submitted_by(server: PrefectServer, run_ids: set[str]) -> dict[str, list[str]]:
    """Run id -> the workers that submitted it, from the `prefect.worker.submitted-flow-run`
    events (resource `prefect.worker.process.<name>`, related `prefect.flow-run.<id>`)."""
    body = {"filter": {"event": {"name": ["prefect.worker.submitted-flow-run"]}}, "limit": 50}
    reply = httpx.post(f"{server.api_url}/events/filter", json=body, timeout=10)
    reply.raise_for_status()
    found: dict[str, list[str]] = {}
    for event in reply.json()["events"]:
        name = event["resource"]["prefect.resource.name"]
        for related in event["related"]:
            run_id = related["prefect.resource.id"].removeprefix("prefect.flow-run.")
            if run_id in run_ids:
                found.setdefault(run_id, []).append(name)
    return found


def state_names(flow_run_id: Any) -> list[str]:
    with get_client(sync_client=True) as client:
        return [s.name for s in client.read_flow_run_states(flow_run_id)]


@pytest.fixture
def pool(
    prefect_server: PrefectServer, store_ready: Path, smtp_server: SmtpServer, tmp_path: Path
) -> Iterator[list[ServeProcess]]:
    """The pool deployed by the script and served by three workers; the store holds the demo
    customers (workers see this test's store and SMTP server through the environment)."""
    assert customers.import_csv(config_dir() / "demo" / "customers.csv") == DEMO_CUSTOMERS
    with prefect_client_settings(prefect_server):
        deployed = run_work_pool_script(prefect_server)
        assert f"deployed {DEPLOYMENT}" in deployed
        workers = [worker(prefect_server, n, tmp_path / f"{n}.log").start() for n in WORKERS]
        try:
            yield workers
        finally:
            for w in workers:
                w.stop()


def test_the_script_deploys_prefect_yaml_to_the_pool_again_and_again(
    prefect_server: PrefectServer,
) -> None:
    with prefect_client_settings(prefect_server), get_client(sync_client=True) as client:
        assert f"deployed {DEPLOYMENT}" in run_work_pool_script(prefect_server)
        run_work_pool_script(prefect_server)  # a second time: updates, adds nothing
        deployments = client.request(
            "POST", "/deployments/filter", json={"limit": 200, "offset": 0, "sort": "NAME_ASC"}
        ).json()
    on_pool = [d for d in deployments if d["work_pool_name"] == "csflows"]
    assert sorted(d["name"] for d in on_pool) == sorted(s["name"] for s in deployment_specs())
    tiers = next(d for d in on_pool if d["name"] == "recompute-tiers")
    assert [s["schedule"]["cron"] for s in tiers["schedules"]] == ["0 6 1 * *"]
    pull = tiers["pull_steps"][0]["prefect.deployments.steps.set_working_directory"]
    assert pull["directory"] == "{{ $CSFLOWS_PROJECT_DIR }}"  # each machine's own checkout


def test_runs_are_shared_by_the_workers_and_each_completes_once(
    prefect_server: PrefectServer, pool: list[ServeProcess], smtp_server: SmtpServer
) -> None:
    runs = [
        run_deployment(DEPLOYMENT, parameters={"as_of": m.isoformat()}, timeout=0) for m in MONTHS
    ]
    run_ids = {str(r.id) for r in runs}
    for run in runs:
        wait_for_state(run.id, {"Completed"}, timeout=300)

    for run in runs:
        names = state_names(run.id)
        assert names.count("Running") == 1 and names.count("Completed") == 1, names
    workers = wait_for(
        "a submitted-flow-run event for every run",
        lambda: (found := submitted_by(prefect_server, run_ids)).keys() == run_ids and found,
        timeout=60,
    )
    assert all(len(names) == 1 for names in workers.values()), workers  # one worker each
    assert len({names[0] for names in workers.values()}) > 1, workers  # shared
    assert all(w.alive() for w in pool)

    # nothing lost, nothing twice: each month's tier history holds every customer once
    with store.session() as s:
        counts = select(TierHistoryRow.as_of, func.count()).group_by(TierHistoryRow.as_of)
        rows = {as_of: n for as_of, n in s.execute(counts)}
    assert rows == {m: DEMO_CUSTOMERS for m in MONTHS}
    sent = Counter((tuple(m.rcpt_tos), m.subject) for m in smtp_server.messages)
    assert all(n == 1 for n in sent.values()), sent
