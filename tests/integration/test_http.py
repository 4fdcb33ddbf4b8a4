"""The shared API caller against a local server: one attempt; 5xx/429/timeouts are transient
(the task retries them), 4xx are not."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from csflows.errors import ApiError, TransientApiError
from csflows.http import QuotaWindow, request
from tests.support.servers import HttpServer, Reply

pytestmark = pytest.mark.integration


def test_a_500_is_transient_and_sent_once(http_server: HttpServer) -> None:
    """Retrying is the task's (one layer): the client sends once and says it is worth another try."""
    http_server.route("GET", "/x", Reply(500, {"error": {"message": "backend"}}))
    with pytest.raises(TransientApiError, match=r"demo: backend \(HTTP 500\)"):
        request("demo", "GET", f"{http_server.url}/x")
    assert len(http_server.calls("/x")) == 1


def test_a_429_is_transient_and_keeps_the_retry_after(http_server: HttpServer) -> None:
    http_server.route(
        "GET", "/x", Reply(429, {"error": {"message": "slow down"}}, {"Retry-After": "0.2"})
    )
    with pytest.raises(TransientApiError) as err:
        request("demo", "GET", f"{http_server.url}/x")
    assert err.value.retry_after == 0.2 and len(http_server.calls("/x")) == 1


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
        request("demo", "GET", f"{http_server.url}/x")
    assert not isinstance(err.value, TransientApiError)
    assert len(http_server.calls("/x")) == 1


def test_a_timeout_is_transient(http_server: HttpServer) -> None:
    http_server.route("GET", "/slow", Reply(200, {}, delay=0.5))
    with pytest.raises(TransientApiError, match="timed out"):
        request("demo", "GET", f"{http_server.url}/slow", timeout=0.1)
    assert len(http_server.calls("/slow")) == 1


def test_a_quota_window_spaces_calls(csflows_home: Path) -> None:
    window = QuotaWindow("demo", limit=2, window=0.2)
    start = time.monotonic()
    for _ in range(5):
        with window.slot():
            pass
    assert time.monotonic() - start >= 2 * 0.2 * 0.9  # 2 now, 2 after 0.2 s, 1 after 0.4 s
