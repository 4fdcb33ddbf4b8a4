"""A burst of inquiries submitted at once to the vet-inquiry-burst deployment (one run checks
them all and creates each inquiry's vetting run waiting at its approval gate), against Google
behind a quota that answers 429 beyond `--quota` requests per API and second.

    python bench/vetting_burst.py [--count 200] [--addresses 50] [--quota 10] [--limit 8]

A real Prefect server (on PostgreSQL: on SQLite a burst meets `database is locked` and 503s),
one `csflows serve --limit N` process, SMTP and HTTP servers as Google, RDAP and the site.
First one inquiry alone (the baseline), then `--count` at once. Prints the time until all wait
at the approval gate against the 60 s goal, inquiries per minute, the processes started before
the first person acts, the 429s seen, the most calls per distinct address and API, and
burst / (alone x count).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")

from bench._stack import bench_stack  # noqa: E402
from tests.support.google import GoogleQuota  # noqa: E402
from tests.support.prefect_server import (  # noqa: E402
    PrefectServer,
    ServeProcess,
    prefect_client_settings,
    wait_for_deployment,
)
from tests.support.servers import HttpServer, SmtpServer  # noqa: E402
from tests.support.vetting_world import (  # noqa: E402
    applicant_world,
    burst_forms,
    burst_to_the_gates,
    processes_started,
    worker_env,
)

GOAL_SECONDS = 60  # issue 24: 200 inquiries checked and at the gate


def _timed_burst(forms: list[dict[str, Any]], timeout: float) -> tuple[float, int]:
    """Seconds until every form's run waits at the approval gate; processes started for it."""
    start = time.monotonic()
    last = [start]

    def progress(states: Counter[str]) -> None:
        if time.monotonic() - last[0] >= 30:
            last[0] = time.monotonic()
            print(f"  {last[0] - start:6.0f} s: {dict(states)}", flush=True)

    at_gates, run_ids, burst_id = burst_to_the_gates(forms, timeout=timeout, progress=progress)
    return at_gates - start, len(processes_started([burst_id, *run_ids]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=200, help="inquiries submitted at once")
    parser.add_argument("--addresses", type=int, default=50, help="distinct addresses among them")
    parser.add_argument("--quota", type=int, default=10, help="Google requests per API and second")
    parser.add_argument("--limit", type=int, default=8, help="flow runs the worker runs at once")
    parser.add_argument("--timeout", type=float, default=7200, help="seconds to wait for the gate")
    args = parser.parse_args()

    with bench_stack("csflows-burst-") as (root, prefect):
        _burst(args, root, prefect)


def _burst(args: argparse.Namespace, root: Path, prefect: PrefectServer) -> None:
    smtp, http, quota = SmtpServer().start(), HttpServer().start(), GoogleQuota(args.quota)
    applicant_world(http, quota)
    env = worker_env(prefect, smtp, http, root / "home")
    env["CSFLOWS_GOOGLE_MAPS_QPS"] = str(args.quota)
    os.environ.update(env)
    serve = ServeProcess(env, root / "serve.log", limit=args.limit)
    calls_before = requests_before = 0
    try:
        with prefect_client_settings(prefect):
            serve.start()
            wait_for_deployment("vet-new-customer/vet-new-customer")
            site = f"http://paperlantern.test:{http.port}/"
            [alone] = burst_forms(1, 1, site)
            alone["email"], alone["address"]["unit"] = "alone@paperlantern.example", "Suite 9999"
            single, _ = _timed_burst([alone], args.timeout)
            print(f"one inquiry alone: {single:.1f} s to the approval gate", flush=True)
            calls_before, requests_before = sum(quota.calls.values()), len(quota.calls)
            forms = burst_forms(args.count, args.addresses, site)
            burst, processes = _timed_burst(forms, args.timeout)
        print(f"{args.count} inquiries over {args.addresses} addresses, worker limit {args.limit}")
        verdict = "met" if burst <= GOAL_SECONDS else "missed"
        print(f"time to all at the approval gate: {burst:.1f} s (goal {GOAL_SECONDS} s: {verdict})")
        print(f"processes started before the first person acts: {processes}")
        print(f"inquiries/minute: {args.count / burst * 60:.1f}")
        print(f"burst/(alone x count)={burst / (single * args.count):.2f}")
    finally:  # what Google saw, even when the wait ran out
        print(f"429s seen: {quota.total_rejected}")
        print(f"max calls per distinct address and API: {quota.most_calls_per_address}")
        print(
            f"Google calls: {sum(quota.calls.values()) - calls_before} for "
            f"{len(quota.calls) - requests_before} distinct (API, address) requests"
        )
        serve.stop()
        smtp.stop()
        http.stop()


if __name__ == "__main__":
    main()
