"""One quota for the whole team: two machines (two processes, each with its own CSFLOWS_HOME)
validating addresses at once against a Google that answers 429 beyond its quota in any second.
Through the Prefect server's limit (tasks/quotas.py) they never exceed it together; with only
their own windows under CSFLOWS_HOME, each takes the whole quota and Google refuses some."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from prefect.settings import PREFECT_API_URL

from csflows.paths import PROJECT_ROOT
from tasks.quotas import keep_quota
from tests.support import google
from tests.support.servers import HttpServer, Reply, Request

pytestmark = [pytest.mark.integration, pytest.mark.slow]  # two processes, ~20 s of lookups

QUOTA = 4  # Address Validation requests per second, for the whole team
PER_MACHINE = 10
THREADS = 4


class CountingGoogle:
    """Address Validation behind the quota, noting when each request arrived."""

    def __init__(self, http: HttpServer) -> None:
        self.quota = google.GoogleQuota(per_second=QUOTA)
        http.route("POST", google.VALIDATE, self.quota.guard("validateAddress", self.answer))

    @staticmethod
    def answer(_request: Request) -> Reply:
        return Reply(200, google.validation({"business": True}))

    def most_in_one_second(self) -> int:
        return self.quota.most_in_one_window("validateAddress")


def two_machines(tmp_path: Path, http: HttpServer, prefect_api: str | None) -> list[dict[str, Any]]:
    """Both machines' outcomes; they share the store (SQLite here) but not CSFLOWS_HOME."""
    environment = dict(os.environ) | google.environment(http.url)
    environment |= {
        "CSFLOWS_GOOGLE_MAPS_QPS": str(QUOTA),
        "CSFLOWS_DATABASE_URL": os.environ.get("CSFLOWS_DATABASE_URL")
        or f"sqlite:///{os.environ['CSFLOWS_HOME']}/csflows.db",
        "PREFECT_API_URL": prefect_api or "",
        "CSFLOWS_TEAM_QUOTAS": "1",  # as the pool's job variables set it on every machine
        "PYTHONPATH": str(PROJECT_ROOT),
    }
    machines = []
    for n in range(2):
        env = environment | {"CSFLOWS_HOME": str(tmp_path / f"machine-{n}")}
        first = n * PER_MACHINE + (1000 if prefect_api is None else 0)
        command = [sys.executable, "-m", "tests.support.address_lookups"]
        machines.append(
            subprocess.Popen(
                [*command, str(first), str(PER_MACHINE), str(THREADS)],
                env=env,
                cwd=PROJECT_ROOT,
                stdout=subprocess.PIPE,
                text=True,
            )
        )
    outputs = [machine.communicate(timeout=300)[0] for machine in machines]
    assert all(machine.returncode == 0 for machine in machines), outputs
    return [json.loads(output.strip().splitlines()[-1]) for output in outputs]


def test_two_machines_share_one_quota_through_the_prefect_server(
    tmp_path: Path, http_server: HttpServer, store_ready: Path
) -> None:
    counting = CountingGoogle(http_server)
    keep_quota("google.addressvalidation", QUOTA)  # the team's: serve or work-pool.sh keep it
    outcomes = two_machines(tmp_path, http_server, PREFECT_API_URL.value())
    assert [o["errors"] for o in outcomes] == [[], []]
    assert sum(o["answered"] for o in outcomes) == 2 * PER_MACHINE
    assert counting.quota.total_rejected == 0
    assert counting.most_in_one_second() <= QUOTA, sorted(counting.quota.arrived)


def test_without_a_server_each_machine_takes_the_whole_quota(
    tmp_path: Path, http_server: HttpServer, store_ready: Path
) -> None:
    """What the team had before: each machine's window is right alone, wrong together."""
    counting = CountingGoogle(http_server)
    outcomes = two_machines(tmp_path, http_server, None)
    assert counting.quota.total_rejected > 0
    assert any("HTTP 429" in error for o in outcomes for error in o["errors"])
