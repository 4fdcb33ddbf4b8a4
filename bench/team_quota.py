"""How Prefect rate limits (slot decay) hold a per-second quota for several machines at once.

Starts a temporary Prefect server and a local Google stand-in that answers 429 beyond QUOTA
requests in any second (sliding), then for each setting `slots:decay` runs two processes of four
threads that ask as fast as `rate_limit` lets them for `--seconds`; `0:0` is each process with
its own window under its own CSFLOWS_HOME (csflows.http.QuotaWindow, no server). Prints, per
setting: the most requests in any second, the 429s, the rate answered, and how much later than
its admission a request reached the stand-in. Baseline in the same run: the quota itself.

    PYTHONPATH=. .venv/bin/python bench/team_quota.py --quota 10 0:0 10:10 1:8.3333
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections import deque
from typing import Any

import requests

from tests.support.google import GoogleQuota
from tests.support.servers import HttpServer, Reply, Request

URL_PATH = "/v1:validateAddress"


def machine(url: str, limit: str, seconds: float, threads: int, quota: int) -> None:
    """One machine: `threads` asking at once through the limit named `limit` (or a window)."""
    from csflows.http import QuotaWindow
    from tasks.quotas import take_slot

    window = QuotaWindow.per_second("bench", quota)
    end = time.time() + seconds

    def ask() -> None:
        while time.time() < end:
            if limit == "window":
                with window.slot():
                    send()
            else:
                take_slot(limit)  # as csflows takes a slot of the team's limit
                send()

    def send() -> None:
        requests.post(url, json={}, headers={"X-Admitted": repr(time.monotonic())}, timeout=10)

    workers = [threading.Thread(target=ask) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()


def most_in_one_second(times: list[float]) -> int:
    window: deque[float] = deque()
    most = 0
    for at in sorted(times):
        window.append(at)
        while window[0] <= at - 1.0:
            window.popleft()
        most = max(most, len(window))
    return most


def measure(api: str, slots: int, decay: float, args: argparse.Namespace) -> dict[str, Any]:
    from prefect.client.orchestration import get_client

    name = "window" if slots == 0 else f"bench-{slots}-{decay}"
    if slots:
        with get_client(sync_client=True) as client:
            client.upsert_global_concurrency_limit_by_name(name, slots, decay)
    http = HttpServer().start()
    quota = GoogleQuota(per_second=args.quota)
    arrived: list[float] = []
    late: list[float] = []

    def answer(request: Request) -> Reply:
        arrived.append(time.monotonic())
        late.append(arrived[-1] - float(request.headers["X-Admitted"]))
        return Reply(200, {}) if quota.admit("validateAddress") else Reply(429, {})

    http.route("POST", URL_PATH, answer)
    command = [sys.executable, __file__, "--machine", http.url + URL_PATH, name]
    command += ["--seconds", str(args.seconds), "--quota", str(args.quota)]
    with tempfile.TemporaryDirectory() as homes:
        machines = [
            subprocess.Popen(
                command,
                env=dict(os.environ, PREFECT_API_URL=api, CSFLOWS_HOME=f"{homes}/{n}"),
            )
            for n in range(2)
        ]
        for process in machines:
            process.wait()
    http.stop()
    span = max(arrived) - min(arrived)
    late.sort()
    return {
        "setting": "own windows" if slots == 0 else f"{slots} slots, decay {decay:g}/s",
        "most_in_1s/quota": round(most_in_one_second(arrived) / args.quota, 2),
        "429s": quota.total_rejected,
        "requests": len(arrived),
        "rate/quota": round((len(arrived) - 1) / span / args.quota, 2),
        "late_ms_median_max": [round(1000 * late[len(late) // 2]), round(1000 * late[-1])],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("settings", nargs="*", default=["0:0", "10:10", "1:8.3333"])
    parser.add_argument("--quota", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--machine", nargs=2, metavar=("URL", "LIMIT"))
    args = parser.parse_args()
    if args.machine:
        machine(*args.machine, seconds=args.seconds, threads=4, quota=args.quota)
        return
    from prefect.settings import PREFECT_API_URL
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        api = str(PREFECT_API_URL.value())
        for setting in args.settings:
            slots, decay = setting.split(":")
            print(json.dumps(measure(api, int(slots), float(decay), args)), flush=True)


if __name__ == "__main__":
    main()
