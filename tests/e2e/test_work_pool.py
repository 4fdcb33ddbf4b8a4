"""Beyond one machine: `deployments/work-pool.sh` creates the `csflows` process work pool and
deploys prefect.yaml to it; three `prefect worker start` processes (stand-ins for three machines)
share the runs. Every run completes once, on one worker, and more than one worker takes part."""

from __future__ import annotations

import os
import signal
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
    flow_run_state,
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
    """Run id -> the workers that submitted it, oldest first, from the `prefect.worker.submitted-flow-run`
    events (resource `prefect.worker.process.<name>`, related `prefect.flow-run.<id>`)."""
    submitted = {"name": ["prefect.worker.submitted-flow-run"]}
    body = {"filter": {"event": submitted, "order": "ASC"}, "limit": 50}
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
) -> Iterator[dict[str, ServeProcess]]:
    """The pool deployed by the script and served by three workers; the store holds the demo
    customers (workers see this test's store and SMTP server through the environment)."""
    assert customers.import_csv(config_dir() / "demo" / "customers.csv") == DEMO_CUSTOMERS
    with prefect_client_settings(prefect_server):
        deployed = run_work_pool_script(prefect_server)
        assert f"deployed {DEPLOYMENT}" in deployed
        workers = {n: worker(prefect_server, n, tmp_path / f"{n}.log").start() for n in WORKERS}
        try:
            yield workers
        finally:
            for w in workers.values():
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


def submit_months() -> tuple[list[Any], set[str]]:
    """One recompute-tiers run per month of MONTHS, all at once; the runs and their ids."""
    runs = [
        run_deployment(DEPLOYMENT, parameters={"as_of": m.isoformat()}, timeout=0) for m in MONTHS
    ]
    return runs, {str(r.id) for r in runs}


def workers_of(server: PrefectServer, run_ids: set[str]) -> dict[str, list[str]]:
    """Run id -> the workers that submitted it, once every run has its event."""
    return wait_for(
        "a submitted-flow-run event for every run",
        lambda: (found := submitted_by(server, run_ids)).keys() == run_ids and found,
        timeout=60,
    )


def assert_each_completed_once(runs: list[Any], smtp: SmtpServer) -> None:
    """Every run Completed after running once, and its results stored and mailed once."""
    for run in runs:
        wait_for_state(run.id, {"Completed"}, timeout=300)
    for run in runs:
        names = state_names(run.id)
        assert names.count("Running") == 1 and names.count("Completed") == 1, names
    assert_store_and_mail_once(smtp)


def assert_store_and_mail_once(smtp: SmtpServer) -> None:
    """Each month's tier history holds every customer once (nothing lost, nothing twice), and
    no mail went out twice."""
    with store.session() as s:
        counts = select(TierHistoryRow.as_of, func.count()).group_by(TierHistoryRow.as_of)
        rows = {as_of: n for as_of, n in s.execute(counts)}
    assert rows == {m: DEMO_CUSTOMERS for m in MONTHS}
    sent = Counter((tuple(m.rcpt_tos), m.subject) for m in smtp.messages)
    assert all(n == 1 for n in sent.values()), sent


def test_runs_are_shared_by_the_workers_and_each_completes_once(
    prefect_server: PrefectServer, pool: dict[str, ServeProcess], smtp_server: SmtpServer
) -> None:
    runs, run_ids = submit_months()
    assert_each_completed_once(runs, smtp_server)

    workers = workers_of(prefect_server, run_ids)
    assert all(len(names) == 1 for names in workers.values()), workers  # one worker each
    assert len({names[0] for names in workers.values()}) > 1, workers  # shared
    assert all(w.alive() for w in pool.values())


def children_of(pid: int) -> list[int]:
    """Every process whose parent is `pid` (its flow-run processes run in sessions of their own,
    so a group kill would miss them)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:  # gone meanwhile
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def lose_machine(worker: ServeProcess) -> None:
    """The worker's machine dies: the worker frozen first (it starts nothing more), then its
    flow-run processes and the worker itself SIGKILLed."""
    os.kill(worker.pid, signal.SIGSTOP)
    for child in children_of(worker.pid):
        os.kill(child, signal.SIGKILL)
    worker.kill()


def retry(flow_run_id: Any) -> None:
    """What an operator does in the UI with a run its lost worker left behind: change its state
    to Crashed, then Retry (a Scheduled state that any worker picks up)."""
    from prefect.states import Crashed, Scheduled

    with get_client(sync_client=True) as client:
        client.set_flow_run_state(flow_run_id, Crashed(message="worker machine lost"), force=True)
        client.set_flow_run_state(flow_run_id, Scheduled(name="AwaitingRetry"), force=True)


def test_a_lost_worker_machine_leaves_its_run_to_retry_and_loses_nothing(
    prefect_server: PrefectServer, pool: dict[str, ServeProcess], smtp_server: SmtpServer
) -> None:
    """A worker and its flow-run process killed as soon as it has taken a run: the run stays
    Pending or Running (nothing marks it), the other workers do the rest, and once retried the
    run completes on another worker, its month in the store once."""
    runs, run_ids = submit_months()

    def taken() -> tuple[str, str] | None:
        for run_id, names in submitted_by(prefect_server, run_ids).items():
            if not flow_run_state(run_id).is_final():
                return run_id, names[0]
        return None

    lost_run, victim = wait_for("a worker with a run in hand", taken, timeout=180, every=0.2)
    lose_machine(pool[victim])

    for run in runs:
        if str(run.id) != lost_run:
            wait_for_state(run.id, {"Completed"}, timeout=300)
    assert flow_run_state(lost_run).type.value in {"PENDING", "RUNNING"}  # stuck, not gone
    retry(lost_run)
    wait_for_state(lost_run, {"Completed"}, timeout=300)

    for run in runs:
        names = state_names(run.id)
        assert names.count("Completed") == 1, names
    workers = workers_of(prefect_server, run_ids)
    assert workers[lost_run][0] == victim and victim not in workers[lost_run][1:], workers
    assert len(workers[lost_run]) == 2  # taken again by one of the others
    assert_store_and_mail_once(smtp_server)
