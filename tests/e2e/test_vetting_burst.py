"""A burst of inquiries at once against Google behind a quota: every one reaches the approval
gate, Google never answers 429, and each distinct address costs one call per API."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from csflows.vetting.inquiries import InquiryRecord
from tests.e2e.conftest import VettingStack, module_store, prefect_on_postgres, running_stack
from tests.e2e.test_vetting_e2e import SUPERVISOR, inquiry_of, mails
from tests.support.google import GoogleQuota
from tests.support.prefect_server import PrefectServer
from tests.support.vetting_world import burst_forms, submit_at_once, wait_all_suspended

# Measured on a busy 2-core machine (load 6-16): all 12 at the gate 130 s after submitting,
# 170 s in all. The wait allows 4-5 times that, and the test's own timeout room for it.
pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.timeout(900)]

QUOTA = 3  # Google's quota per API and second, as the local server enforces it
INQUIRIES, ADDRESSES = 12, 3


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
    """The worker told Google's quota, at most 4 runs at once (each one a subprocess)."""
    home = tmp_path_factory.mktemp("csflows-burst")
    env = {"CSFLOWS_GOOGLE_MAPS_QPS": str(QUOTA), **module_store(request)}
    with running_stack(prefect_server, home, env, quota=quota, serve_limit=4) as stack:
        yield stack


def test_burst_reaches_the_gate_within_googles_quota(
    stack: VettingStack, quota: GoogleQuota
) -> None:
    forms = burst_forms(INQUIRIES, ADDRESSES, f"http://paperlantern.test:{stack.http.port}/")
    run_ids = submit_at_once(forms)
    wait_all_suspended(run_ids, timeout=600)

    assert quota.total_rejected == 0, quota.rejected
    assert quota.most_calls_per_address == 1, quota.calls
    apis = {api for api, _address in quota.calls}
    assert {"v1:validateAddress", "places:searchText"} <= apis
    assert len(quota.calls) == ADDRESSES * len(apis)
    assert len(stack.http.calls("/rdap/domain/")) == 1  # one domain, one registration lookup
    for run_id, form in zip(run_ids, forms, strict=True):
        inquiry_id = inquiry_of(run_id)
        assert InquiryRecord.load(inquiry_id).status == "awaiting_approval"
        reviews = mails(stack, SUPERVISOR, "to review")
        mine = [m for m in reviews if f"inquiry {inquiry_id})" in m.subject]
        assert len(mine) == 1, (form["email"], [m.subject for m in mine])
