"""A `csflows` process work pool for end-to-end tests: `deployments/work-pool.sh` against a real
Prefect server, `prefect worker start` processes standing in for machines, which worker took
which run (from the server's events), and a machine lost without warning."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import httpx
from prefect import get_client
from prefect.deployments import run_deployment
from sqlalchemy import func, select

from csflows import store
from csflows.paths import PROJECT_ROOT
from csflows.store.tables import TierHistoryRow
from tests.support.prefect_server import PrefectServer, ServeProcess, wait_for
from tests.support.servers import SmtpServer

POOL = "csflows"


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


def worker(
    server: PrefectServer,
    name: str,
    log: Path,
    queues: tuple[str, ...] = (),
    env: dict[str, str] | None = None,
    limit: int = 1,
) -> ServeProcess:
    """One `prefect worker start` on the pool (its `queues`, else all), running `limit` flow runs
    at a time; `env` is what this machine sees besides the server's settings."""
    prefect = str(Path(sys.executable).with_name("prefect"))
    command = [prefect, "worker", "start", "--pool", POOL, "--type", "process", "--name", name]
    command += [arg for queue in queues for arg in ("--work-queue", queue)]
    settings = server.env() | {"PREFECT_WORKER_QUERY_SECONDS": "1"} | (env or {})
    return ServeProcess(settings, log, [*command, "--limit", str(limit)])


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


def workers_of(server: PrefectServer, run_ids: set[str]) -> dict[str, list[str]]:
    """Run id -> the workers that submitted it, once every run has its event."""
    return wait_for(
        "a submitted-flow-run event for every run",
        lambda: (found := submitted_by(server, run_ids)).keys() == run_ids and found,
        timeout=60,
    )


def state_names(flow_run_id: Any) -> list[str]:
    with get_client(sync_client=True) as client:
        return [s.name for s in client.read_flow_run_states(flow_run_id)]


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


TIERS = "recompute-tiers/recompute-tiers"  # needs only the store (and SMTP, for mail)
DEMO_CUSTOMERS = 6  # config/demo/customers.csv


def submit_months(months: list[date]) -> tuple[list[Any], set[str]]:
    """One recompute-tiers run per month, all at once; the runs and their ids."""
    runs = [run_deployment(TIERS, parameters={"as_of": m.isoformat()}, timeout=0) for m in months]
    return runs, {str(r.id) for r in runs}


def assert_store_and_mail_once(smtp: SmtpServer, months: list[date]) -> None:
    """Each month's tier history holds every customer once (nothing lost, nothing twice), and
    no mail went out twice."""
    with store.session() as s:
        counts = select(TierHistoryRow.as_of, func.count()).group_by(TierHistoryRow.as_of)
        rows = {as_of: n for as_of, n in s.execute(counts)}
    assert rows == {m: DEMO_CUSTOMERS for m in months}
    sent = Counter((tuple(m.rcpt_tos), m.subject) for m in smtp.messages)
    assert all(n == 1 for n in sent.values()), sent
