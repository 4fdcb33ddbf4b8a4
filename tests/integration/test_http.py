"""The shared API caller against a local server: retries 5xx/429/timeouts, never 4xx."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from csflows.errors import ApiError, TransientApiError
from csflows.http import RateLimit, request
from tests.support.servers import HttpServer, Reply

pytestmark = pytest.mark.integration


def _sequence(*replies: Reply):  # type: ignore[no-untyped-def]
    queue = list(replies)
    return lambda _req: queue.pop(0) if len(queue) > 1 else queue[0]


def test_retries_500_then_succeeds(http_server: HttpServer) -> None:
    http_server.route(
        "GET", "/x", _sequence(Reply(500, {"error": {"message": "backend"}}), Reply(200, {"ok": 1}))
    )
    response = request("demo", "GET", f"{http_server.url}/x", backoff=0.01)
    assert response.json() == {"ok": 1} and len(http_server.calls("/x")) == 2


def test_429_honours_retry_after(http_server: HttpServer) -> None:
    http_server.route(
        "GET",
        "/x",
        _sequence(
            Reply(429, {"error": {"message": "slow down"}}, {"Retry-After": "0.2"}), Reply(200, {})
        ),
    )
    start = time.monotonic()
    request("demo", "GET", f"{http_server.url}/x")
    assert time.monotonic() - start >= 0.2 and len(http_server.calls("/x")) == 2


def test_403_is_not_retried_and_names_the_message(http_server: HttpServer) -> None:
    http_server.route(
        "GET",
        "/x",
        Reply(
            403,
            {"error": {"code": 403, "message": "API key not valid", "status": "PERMISSION_DENIED"}},
        ),
    )
    with pytest.raises(ApiError, match=r"demo: API key not valid \(HTTP 403\)") as err:
        request("demo", "GET", f"{http_server.url}/x", backoff=0.01)
    assert not isinstance(err.value, TransientApiError)
    assert len(http_server.calls("/x")) == 1


def test_timeout_is_transient_and_gives_up(http_server: HttpServer) -> None:
    http_server.route("GET", "/slow", Reply(200, {}, delay=0.5))
    with pytest.raises(TransientApiError, match="timed out"):
        request("demo", "GET", f"{http_server.url}/slow", timeout=0.1, attempts=2, backoff=0.01)
    assert len(http_server.calls("/slow")) == 2


def test_rate_limit_spaces_calls(csflows_home: Path) -> None:
    limit = RateLimit("demo", per_second=20)
    start = time.monotonic()
    for _ in range(6):
        limit.acquire()
    assert time.monotonic() - start >= 5 / 20 * 0.9
