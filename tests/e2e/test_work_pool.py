"""Beyond one machine: `deployments/work-pool.sh` creates the `csflows` process work pool and
deploys prefect.yaml to it; three `prefect worker start` processes (stand-ins for three machines)
share the runs. Every run completes once, on one worker, and more than one worker takes part."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from prefect import get_client

from csflows import customers
from csflows.paths import config_dir
from deployments.serve import deployment_specs
from tests.support.prefect_server import (
    PrefectServer,
    ServeProcess,
    prefect_client_settings,
    wait_for_state,
)
from tests.support.servers import SmtpServer
from tests.support.work_pool import (
    DEMO_CUSTOMERS,
    TIERS,
    assert_store_and_mail_once,
    run_work_pool_script,
    state_names,
    submit_months,
    worker,
    workers_of,
)

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

WORKERS = ("worker-a", "worker-b", "worker-c")
MONTHS = [date(2025, m, 28) for m in range(1, 7)]


@pytest.fixture
def pool(
    prefect_server: PrefectServer, store_ready: Path, smtp_server: SmtpServer, tmp_path: Path
) -> Iterator[dict[str, ServeProcess]]:
    """The pool deployed by the script and served by three workers; the store holds the demo
    customers (workers see this test's store and SMTP server through the environment)."""
    assert customers.import_csv(config_dir() / "demo" / "customers.csv") == DEMO_CUSTOMERS
    with prefect_client_settings(prefect_server):
        deployed = run_work_pool_script(prefect_server)
        assert f"deployed {TIERS}" in deployed
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
        assert f"deployed {TIERS}" in run_work_pool_script(prefect_server)
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


def assert_each_completed_once(runs: list[Any], smtp: SmtpServer) -> None:
    """Every run Completed after running once, and its results stored and mailed once."""
    for run in runs:
        wait_for_state(run.id, {"Completed"}, timeout=300)
    for run in runs:
        names = state_names(run.id)
        assert names.count("Running") == 1 and names.count("Completed") == 1, names
    assert_store_and_mail_once(smtp, MONTHS)


def test_runs_are_shared_by_the_workers_and_each_completes_once(
    prefect_server: PrefectServer, pool: dict[str, ServeProcess], smtp_server: SmtpServer
) -> None:
    runs, run_ids = submit_months(MONTHS)
    assert_each_completed_once(runs, smtp_server)

    workers = workers_of(prefect_server, run_ids)
    assert all(len(names) == 1 for names in workers.values()), workers  # one worker each
    assert len({names[0] for names in workers.values()}) > 1, workers  # shared
    assert all(w.alive() for w in pool.values())
