"""Google's per-API quota as a local server enforces it (429 RESOURCE_EXHAUSTED beyond N
requests in any second): many threads validating addresses at once stay within it."""

from __future__ import annotations

import random
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from blocks import GoogleMapsCredentials, resolve
from csflows.clients.google import GoogleMaps
from tests.support import google
from tests.support.inquiries import inquiry
from tests.support.servers import HttpServer, Reply, Request

pytestmark = pytest.mark.integration

QUOTA = 4


@pytest.fixture
def quota(
    http_server: HttpServer, monkeypatch: pytest.MonkeyPatch, store_ready: Any
) -> google.GoogleQuota:
    for key, value in google.environment(http_server.url).items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("CSFLOWS_GOOGLE_MAPS_QPS", str(QUOTA))
    limit = google.GoogleQuota(per_second=QUOTA)

    def slow_sometimes(_request: Request) -> Reply:  # a busy backend: answers take 0-0.3 s
        return Reply(200, google.validation({"business": True}), delay=random.uniform(0, 0.3))

    limit.serve(http_server, {("POST", google.VALIDATE): slow_sometimes})
    return limit


def test_the_quota_answers_429_in_googles_shape(
    quota: google.GoogleQuota, http_server: HttpServer
) -> None:
    import requests

    quota.window = 60.0  # however slowly this machine sends them: all in one window
    replies = [
        requests.post(f"{http_server.url}{google.VALIDATE}", json={}, timeout=5)
        for _ in range(QUOTA + 1)
    ]
    assert [r.status_code for r in replies] == [200] * QUOTA + [429]
    assert replies[-1].json()["error"]["status"] == "RESOURCE_EXHAUSTED"
    assert quota.total_rejected == 1


def test_concurrent_validations_never_see_a_429(quota: google.GoogleQuota) -> None:
    maps = GoogleMaps(resolve(GoogleMapsCredentials))
    addresses = [inquiry(address={"unit": f"Suite {n}"}).address for n in range(16)]
    with ThreadPoolExecutor(16) as pool:
        answers = list(pool.map(maps.validate, addresses))
    assert quota.total_rejected == 0, quota.rejected
    assert len(quota.calls) == 16 and quota.most_calls_per_address == 1
    assert all(not cached for _answer, cached in answers)
