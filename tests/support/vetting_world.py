"""The world a vetting worker sees in end-to-end tests and benchmarks: local servers answering
as Google Maps (optionally behind a quota), RDAP and the applicant's website, and the worker's
environment pointing at them, a real SMTP server and a real Prefect server."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.support import google, rdap
from tests.support.inquiries import form_data
from tests.support.prefect_server import PrefectServer
from tests.support.servers import HttpServer, Reply, SmtpServer

SITE = """<!doctype html><html><head><title>Paper Lantern Crafts</title></head><body>
<h1>Paper Lantern Crafts</h1><p>Your neighborhood paper-craft and scrapbooking store in
Chicago since 2009. Visit our shop at 233 S Wacker Dr, Suite 400.</p>
<p>Contact: hello@paperlanterncrafts.com</p></body></html>"""


def applicant_world(http: HttpServer, quota: google.GoogleQuota | None = None) -> None:
    """A business applicant as Google, RDAP and its own website describe it (documented
    shapes); with `quota`, the Google APIs answer 429 beyond it and count calls per address."""
    routes = {
        ("POST", google.VALIDATE): Reply(
            200, google.validation({"business": True, "residential": False, "poBox": False})
        ),
        ("POST", google.PLACES): Reply(200, google.places("Paper Lantern Crafts")),
        ("GET", google.GEOCODE): Reply(200, google.geocode(["premise"])),
        ("GET", google.TIMEZONE): Reply(200, google.time_zone()),
    }
    if quota is None:
        for (method, path), reply in routes.items():
            http.route(method, path, reply)
    else:
        quota.serve(http, dict(routes))
    registration = rdap.domain("paperlantern.test", "2009-03-02T00:00:00Z")
    http.route(
        "GET", "/rdap/domain/", Reply(200, registration, {"Content-Type": "application/rdap+json"})
    )
    http.route("GET", "/", Reply(200, SITE))


def worker_env(
    prefect: PrefectServer, smtp: SmtpServer, http: HttpServer, home: Path
) -> dict[str, str]:
    """What the `csflows serve` process needs to vet against these servers."""
    return {
        **prefect.env(),
        **smtp.env(),
        "CSFLOWS_HOME": str(home),
        "CSFLOWS_SKIP_BLOCK_LOOKUP": "1",
        **applicant_env(http),
        "PREFECT_RUNNER_POLL_FREQUENCY": "1",
    }


def applicant_env(http: HttpServer) -> dict[str, str]:
    """Google, RDAP and the applicant's site (`applicant_world`) at `http`, for a process that
    vets: every lookup goes there, the site's name resolving to 127.0.0.1."""
    return {
        **google.environment(http.url),
        "CSFLOWS_RDAP_BASE_URL": f"{http.url}/rdap",
        "CSFLOWS_ALLOW_PRIVATE_NETWORKS": "1",
        "CSFLOWS_RESOLVE": f"paperlantern.test:{http.port}:127.0.0.1",
    }


def burst_forms(count: int, addresses: int, website: str) -> list[dict[str, Any]]:
    """`count` distinct inquiries (one applicant each) from one business at `addresses`
    suites of one building, in turn: several inquiries ask about every address."""
    return [
        form_data(
            email=f"buyer{n}@paperlantern-burst.example",
            contact_name=f"Buyer {n}",
            website=website,
            address={"unit": f"Suite {100 + n % addresses}"},
        )
        for n in range(count)
    ]


def wait_all_suspended(
    run_ids: list[str],
    timeout: float = 600,
    progress: Callable[[Counter[str]], None] | None = None,
) -> float:
    """Wait until every run is Suspended (at the approval gate); fail fast on one that ended.
    Returns the monotonic time it was first seen that all were; `progress` sees the states."""
    from uuid import UUID

    from prefect import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId
    from prefect.client.schemas.sorting import FlowRunSort

    ids = [UUID(r) for r in run_ids]
    deadline = time.monotonic() + timeout
    states: Counter[str] = Counter()
    while time.monotonic() < deadline:
        with get_client(sync_client=True) as client:
            runs = client.read_flow_runs(
                flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=ids)),
                sort=FlowRunSort.ID_DESC,
                limit=len(ids),
            )
        states = Counter(r.state.name if r.state else "none" for r in runs)
        if progress is not None:
            progress(states)
        ended = [r.state for r in runs if r.state and r.state.is_final()]
        if ended:
            raise AssertionError(f"runs ended before the gate: {states}; {ended[0].message}")
        if states["Suspended"] == len(ids):
            return time.monotonic()
        time.sleep(1.0)
    raise AssertionError(
        f"not all {len(ids)} runs at the approval gate after {timeout:g}s: {states}"
    )


def gate_runs_of(forms: list[dict[str, Any]]) -> dict[str, str]:
    """Each form's vetting run (by the form's email), as the store names its inquiry's owner."""
    from sqlalchemy import select

    from csflows import store
    from csflows.store.tables import InquiryRow

    emails = [str(f["email"]) for f in forms]
    with store.session() as s:
        rows = s.scalars(select(InquiryRow).where(InquiryRow.email.in_(emails)))
        return {row.email: str(row.flow_run_id) for row in rows}


def burst_to_the_gates(
    forms: list[dict[str, Any]],
    timeout: float = 600,
    progress: Callable[[Counter[str]], None] | None = None,
) -> tuple[float, list[str], str]:
    """Submit `forms` as one burst (`csflows`'s vet-inquiry-burst deployment) and wait until its
    run completed and every form's own vetting run waits at the approval gate: the monotonic
    time that was first seen, the gate runs in the order of `forms`, the burst's run id."""
    from uuid import UUID

    from tasks.vetting_gates import BURST_DEPLOYMENT, submit_burst
    from tests.support.prefect_server import wait_for_deployment, wait_for_state

    wait_for_deployment(BURST_DEPLOYMENT)
    burst_id, _ = submit_burst(forms)
    wait_for_state(UUID(burst_id), {"Completed"}, timeout=timeout)
    runs = gate_runs_of(forms)
    run_ids = [runs[str(f["email"])] for f in forms]
    return wait_all_suspended(run_ids, timeout=timeout, progress=progress), run_ids, burst_id


def processes_started(run_ids: list[str]) -> list[str]:
    """Those of `run_ids` a process ran (a start time, a run count): each one was a
    `python -m prefect.engine` the worker spawned; a gate created waiting has neither."""
    from uuid import UUID

    from prefect import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId
    from prefect.client.schemas.sorting import FlowRunSort

    runs = []
    with get_client(sync_client=True) as client:
        for start in range(0, len(run_ids), 200):  # the API's most runs per read
            page = [UUID(r) for r in run_ids[start : start + 200]]
            runs += client.read_flow_runs(
                flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=page)),
                sort=FlowRunSort.ID_DESC,
                limit=len(page),
            )
    return [str(r.id) for r in runs if r.start_time is not None or r.run_count > 0]
