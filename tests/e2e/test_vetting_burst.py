"""A burst of returned forms against Google behind a quota: one process checks them all, every
inquiry's own run is created waiting at the approval gate (no process of its own), Google never
answers 429 and each distinct address costs one call per API; a resumed gate runs in the served
deployment without checking again or mailing the supervisor twice."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from pathlib import Path
from uuid import UUID

import pytest
from prefect import get_client
from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterName
from prefect.client.schemas.sorting import FlowRunSort

from csflows.vetting.inquiries import InquiryRecord
from tasks.vetting_gates import BURST_DEPLOYMENT, submit_burst
from tests.e2e.conftest import VettingStack, module_store, prefect_on_postgres, running_stack
from tests.e2e.test_vetting_e2e import SUPERVISOR, approve, inquiry_of, mails, wait_status
from tests.support.google import GoogleQuota
from tests.support.prefect_server import (
    PrefectServer,
    wait_for,
    wait_for_deployment,
    wait_for_gate,
    wait_for_state,
)
from tests.support.vetting_world import (
    burst_forms,
    burst_to_the_gates,
    gate_runs_of,
    processes_started,
)

# Measured on a busy 2-core machine: see bench/README.md; the waits allow many times that.
pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.timeout(900)]

QUOTA = 3  # Google's quota per API and second, as the local server enforces it
INQUIRIES, ADDRESSES = 30, 5


@pytest.fixture(scope="module")
def prefect_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrefectServer]:
    """On SQLite a burst of runs meets `database is locked` in Prefect's state transitions and
    the API answers 503 (see bench/README.md)."""
    with prefect_on_postgres(tmp_path_factory) as server:
        yield server


@pytest.fixture(scope="module")
def quota() -> GoogleQuota:
    return GoogleQuota(per_second=QUOTA)


@pytest.fixture(scope="module")
def vetting_stack(
    prefect_server: PrefectServer,
    tmp_path_factory: pytest.TempPathFactory,
    quota: GoogleQuota,
    request: pytest.FixtureRequest,
) -> Iterator[VettingStack]:
    """The worker told Google's quota."""
    home = tmp_path_factory.mktemp("csflows-burst")
    env = {"CSFLOWS_GOOGLE_MAPS_QPS": str(QUOTA), **module_store(request)}
    with running_stack(prefect_server, home, env, quota=quota, serve_limit=4) as stack:
        yield stack


def test_a_burst_waits_at_the_gates_in_one_process_and_a_gate_resumes_without_rechecking(
    stack: VettingStack, quota: GoogleQuota
) -> None:
    forms = burst_forms(INQUIRIES, ADDRESSES, f"http://paperlantern.test:{stack.http.port}/")
    _at, run_ids, burst_id = burst_to_the_gates(forms, timeout=600)

    assert processes_started([burst_id, *run_ids]) == [burst_id]  # no gate ran a process
    assert quota.total_rejected == 0, quota.rejected
    assert quota.most_calls_per_address == 1, quota.calls
    apis = {api for api, _address in quota.calls}
    assert {"v1:validateAddress", "places:searchText"} <= apis
    assert len(quota.calls) == ADDRESSES * len(apis)
    assert len(stack.http.calls("/rdap/domain/")) == 1  # one domain, one registration lookup
    assert len(set(run_ids)) == INQUIRIES and burst_id not in run_ids
    reviews = mails(stack, SUPERVISOR, "to review")
    with get_client(sync_client=True) as client:
        for run_id in run_ids:
            inquiry_id = inquiry_of(run_id)
            run = client.read_flow_run(UUID(run_id))
            assert run.name == f"vet-paper-lantern-crafts-llc-{inquiry_id}"
            assert {"awaiting:supervisor", "division:craft_hobby"} <= set(run.tags)
            assert InquiryRecord.load(inquiry_id).status == "awaiting_approval"
            mine = [m for m in reviews if f"inquiry {inquiry_id})" in m.subject]
            assert len(mine) == 1 and run_id in mine[0].text, [m.subject for m in mine]

    # The supervisor approves one: the served deployment runs it from the top, finds the checks
    # and the mail done, takes the answer, and goes on to the first-PO gate.
    chosen = run_ids[7]
    inquiry_id = inquiry_of(chosen)
    calls, requests = dict(quota.calls), len(stack.http.calls())
    wait_for_gate(UUID(chosen), "approval-1")
    approve(UUID(chosen))
    wait_status(inquiry_id, "awaiting_first_po", timeout=300)
    wait_for_gate(UUID(chosen), "first-po", timeout=300)
    assert dict(quota.calls) == calls and len(stack.http.calls()) == requests  # no re-check
    mine = [
        m for m in mails(stack, SUPERVISOR, "to review") if f"inquiry {inquiry_id})" in m.subject
    ]
    assert len(mine) == 1  # the supervisor's mail was not sent again
    inquiry = InquiryRecord.load(inquiry_id)
    assert list(inquiry.assessments) == [1]
    assert inquiry.decision("gate:approval-1") is not None  # the answer is in the audit trail
    assert sorted(processes_started([burst_id, *run_ids])) == sorted([burst_id, chosen])


def test_a_burst_killed_midway_loses_no_inquiry_and_sends_nothing_twice(
    stack: VettingStack,
) -> None:
    forms = burst_forms(INQUIRIES, ADDRESSES, f"http://paperlantern.test:{stack.http.port}/")
    for form in forms:
        form["email"] = form["email"].replace("@", "-killed@")
    wait_for_deployment(BURST_DEPLOYMENT)
    burst_id, _ = submit_burst(forms)
    # the burst's own process dies (SIGKILL) once it has handed the first inquiries to gates
    worker = stack.serve.pid if stack.serve else 0
    pid = wait_for("the burst's process", lambda: _pid(burst_id, worker), timeout=300, every=0.1)

    def handed() -> list[str]:
        return [email for email, run in gate_runs_of(forms).items() if run != burst_id]

    wait_for("the first gates", handed, timeout=300, every=0.05)
    os.kill(pid, signal.SIGKILL)
    wait_for_state(UUID(burst_id), {"Crashed"}, timeout=120)  # the worker saw it die
    waiting = handed()
    assert len(waiting) < INQUIRIES, waiting  # killed before every gate was made
    print(f"killed with {len(waiting)} of {INQUIRIES} handed to their gate")

    _at, run_ids, _again = burst_to_the_gates(forms, timeout=600)

    with get_client(sync_client=True) as client:
        for run_id in run_ids:
            inquiry_id = inquiry_of(run_id)
            name = f"vet-paper-lantern-crafts-llc-{inquiry_id}"
            runs = client.read_flow_runs(
                flow_run_filter=FlowRunFilter(name=FlowRunFilterName(any_=[name])),
                sort=FlowRunSort.ID_DESC,
                limit=10,
            )
            assert [str(r.id) for r in runs] == [run_id]  # one gate each
            reviews = mails(stack, SUPERVISOR, "to review")
            mine = [m for m in reviews if f"inquiry {inquiry_id})" in m.subject]
            # a process killed between sending and recording sends it again under the same
            # Message-ID, which mail systems take as one message (csflows.outbox)
            ids = {m.message["Message-ID"] for m in mine}
            assert len(ids) == 1, [m.subject for m in mine]
    assert InquiryRecord.needing_gate() == []


def _pid(run_id: str, worker: int) -> int | None:
    """The process `worker` (the serve process) runs `run_id` in: its descendant whose
    environment names the run (Linux /proc; Prefect 3.8.8 keeps no pid for a served run)."""
    wanted = f"PREFECT__FLOW_RUN_ID={run_id}".encode()
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            environment = (proc / "environ").read_bytes().split(b"\0")
            if wanted in environment and worker in _ancestors(int(proc.name)):
                return int(proc.name)
        except OSError:  # gone, or not ours to read
            continue
    return None


def _ancestors(pid: int) -> list[int]:
    """The parent, grandparent ... of `pid` (Linux /proc)."""
    found = []
    while pid > 1:
        pid = int(Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[1])
        found.append(pid)
    return found
