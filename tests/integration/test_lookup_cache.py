"""The lookup cache's single flight: processes asking for the same request at the same moment
cost one API call, and the others read its answer from the store (SQLite or PostgreSQL)."""

from __future__ import annotations

import multiprocessing
import os
from datetime import timedelta
from typing import Any

import pytest
import requests

from csflows.clients.cache import cached_lookup
from tests.support.servers import HttpServer, Reply

pytestmark = pytest.mark.integration

ASKERS = 6


def _ask(url: str, env: dict[str, str], start: Any, api: str = "demo.api") -> tuple[Any, bool]:
    """One process: wait for the others, then look the same address up."""
    os.environ.update(env)

    def fetch() -> Any:
        return requests.post(
            f"{url}/lookup", json={"address": "233 s wacker dr"}, timeout=10
        ).json()

    start.wait()
    return cached_lookup(api, {"address": "233 s wacker dr"}, fetch, timedelta(days=1))


def _ask_at_once(http: HttpServer, route: Reply) -> list[tuple[Any, bool]]:
    http.route("POST", "/lookup", route)
    env = {k: v for k, v in os.environ.items() if k.startswith("CSFLOWS_")}
    context = multiprocessing.get_context("spawn")
    with context.Manager() as manager:
        start = manager.Barrier(ASKERS)
        with context.Pool(ASKERS) as pool:
            return pool.starmap(_ask, [(http.url, env, start)] * ASKERS)


def test_processes_asking_at_once_make_one_call(http_server: HttpServer, store_ready: Any) -> None:
    answers = _ask_at_once(http_server, Reply(200, {"formatted": "233 S Wacker Dr"}, delay=0.5))
    assert len(http_server.calls("/lookup")) == 1
    assert [cached for _answer, cached in answers].count(False) == 1
    assert all(answer == {"formatted": "233 S Wacker Dr"} for answer, _cached in answers)


def test_a_failed_fetch_is_not_cached_and_the_next_asker_tries(
    http_server: HttpServer, store_ready: Any
) -> None:
    answers = iter([Reply(503, {"error": {"code": 503}}, delay=0.3)])
    http_server.route("POST", "/lookup", lambda _r: next(answers, Reply(200, {"ok": True})))

    def fetch() -> Any:
        reply = requests.post(f"{http_server.url}/lookup", json={}, timeout=10)
        reply.raise_for_status()
        return reply.json()

    with pytest.raises(requests.HTTPError):
        cached_lookup("demo.api", {"address": "x"}, fetch, timedelta(days=1))
    assert cached_lookup("demo.api", {"address": "x"}, fetch, timedelta(days=1)) == (
        {"ok": True},
        False,
    )
    assert cached_lookup("demo.api", {"address": "x"}, fetch, timedelta(days=1)) == (
        {"ok": True},
        True,
    )
    assert len(http_server.calls("/lookup")) == 2
