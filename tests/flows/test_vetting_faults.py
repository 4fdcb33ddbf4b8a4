"""Vetting under outside faults (issue 9), as the assess-inquiry flow runs it: Google answering
429 and 5xx storms, RDAP and the applicant's site hanging. A storm that ends is waited out by the
check task's retries (the one retry layer: each try sends one request); one that outlasts them,
or a hang, is a `review` that names the API and the fault, and the other checks still finish.
Lookup timeouts come from a copy of config/ made short for the test."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from csflows.models import CRITERIA, Recommendation, Verdict
from flows.vetting import assess_inquiry
from tasks.retry import TRANSIENT_RETRIES
from tasks.vetting import check_address, lookup_domain_registration
from tests.flows.test_assess_inquiry import world  # noqa: F401 - the fixture
from tests.support import google, rdap
from tests.support.inquiries import SHOP, inquiry, short_timeouts_config
from tests.support.servers import HttpServer, Reply, Request
from tests.support.sites import Page, SiteServer

pytestmark = pytest.mark.integration

RETRY_AFTER = 0.3  # seconds Google asks for in its 429 answers
PAUSE = 0.1  # seconds between the check tasks' tries here
HANG = 2.5  # seconds a hanging server takes: well past the 0.3 s lookup and 1 s site timeouts


def short_lookups(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, **lookups: float) -> None:
    """config/ with vetting.yaml's lookup and website timeouts made short, and the check tasks'
    retry pauses cut to a tenth of a second (their count stays)."""
    config = short_timeouts_config(tmp_path / "config", **lookups)
    monkeypatch.setenv("CSFLOWS_CONFIG_DIR", str(config))
    for task in (check_address, lookup_domain_registration):
        monkeypatch.setattr(task, "retry_delay_seconds", [PAUSE] * task.retries)


class Timed:
    """A route that answers each reply in turn (then the last) and notes when each call came."""

    def __init__(self, *replies: Reply) -> None:
        self.answer = google.in_turn(*replies)
        self.at: list[float] = []
        self.lock = threading.Lock()

    def __call__(self, request: Request) -> Reply:
        with self.lock:
            self.at.append(time.monotonic())
        return self.answer(request)

    def gaps(self) -> list[float]:
        return [b - a for a, b in zip(self.at, self.at[1:], strict=False)]


def too_many_requests(n: int) -> list[Reply]:
    body = google.error(429, "Quota exceeded for quota metric 'Requests'.", "RESOURCE_EXHAUSTED")
    return [Reply(429, body, {"Retry-After": str(RETRY_AFTER)})] * n


@pytest.fixture
def checks(
    world: tuple[HttpServer, str],  # noqa: F811 - the fixture imported above
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Callable[..., tuple[HttpServer, str]]]:
    """`checks(**lookups)`: the local Google/RDAP/site world with short lookup timeouts."""

    def configure(**lookups: float) -> tuple[HttpServer, str]:
        short_lookups(tmp_path, monkeypatch, **lookups)
        return world

    yield configure


def test_a_429_storm_that_ends_is_waited_out_by_the_tasks_retries(
    checks: Callable[..., tuple[HttpServer, str]],
) -> None:
    server, url = checks(timeout_seconds=2)
    validation = Timed(  # a try each
        *too_many_requests(3),
        Reply(200, google.validation({"business": True, "residential": False})),
    )
    places = Timed(*too_many_requests(2), Reply(200, google.places("Paper Lantern Crafts")))
    server.route("POST", "/v1:validateAddress", validation)
    server.route("POST", "/v1/places:searchText", places)

    assessment = assess_inquiry(inquiry(website=url))

    address = assessment.criteria["address"]
    assert address.verdict is Verdict.PASS, address.evidence
    assert assessment.recommendation is Recommendation.APPROVE
    assert len(server.calls("/v1:validateAddress")) == 4  # three refusals, then the answer
    assert len(server.calls("/v1/places:searchText")) == 3  # its answer was kept from try 3
    assert address.api_calls == 1  # what the last try paid for: places came from the cache
    # Prefect draws each pause around PAUSE, never under (1 - retry_jitter_factor) of it
    least = PAUSE * (1 - TRANSIENT_RETRIES["retry_jitter_factor"]) * 0.95
    assert all(gap >= least for gap in validation.gaps()), validation.gaps()


def test_a_5xx_storm_that_outlasts_the_retries_is_a_review_naming_google_and_the_status(
    checks: Callable[..., tuple[HttpServer, str]],
) -> None:
    server, url = checks(timeout_seconds=2)
    unavailable = google.error(503, "The service is currently unavailable.", "UNAVAILABLE")
    server.route("POST", "/v1:validateAddress", Reply(503, unavailable))

    assessment = assess_inquiry(inquiry(website=url))

    address = assessment.criteria["address"]
    assert address.verdict is Verdict.REVIEW
    [evidence] = address.evidence
    assert evidence.source == "error"
    assert "google.addressvalidation" in evidence.fact and "HTTP 503" in evidence.fact
    others = {k: v.verdict for k, v in assessment.criteria.items() if k != "address"}
    assert others == dict.fromkeys(set(CRITERIA) - {"address"}, Verdict.PASS)
    assert assessment.recommendation is Recommendation.REVIEW
    tries = check_address.retries + 1  # one request a try: no retries inside the client
    assert len(server.calls("/v1:validateAddress")) == tries
    assert len(server.calls("/v1/places:searchText")) == 1  # its answer was kept, not re-bought


@pytest.mark.slow  # requests that time out, and a site that hangs: scripts/test runs it
@pytest.mark.timeout(120)  # a hang must not hold the vetting: it ends, in bounded time
def test_rdap_and_the_website_hanging_are_a_review_naming_the_timeout(
    checks: Callable[..., tuple[HttpServer, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    server, _ = checks(timeout_seconds=0.3)
    registration = rdap.domain(SHOP, "2009-08-13T16:21:09Z")
    server.route("GET", f"/domain/{SHOP}", Reply(200, registration, delay=HANG))
    hanging = SiteServer().start()
    try:
        url = hanging.site(SHOP, "/", Page(body="<title>Paper Lantern</title>", delay=HANG))
        monkeypatch.setenv("CSFLOWS_RESOLVE", hanging.resolve_entry(SHOP))
        assessment = assess_inquiry(inquiry(website=url))
    finally:
        hanging.stop()

    website = assessment.criteria["website"]
    assert website.verdict is Verdict.REVIEW
    facts = " | ".join(e.fact for e in website.evidence)
    assert "timed out" in facts or "took longer than" in facts, facts
    assert "rdap" in facts and "timed out after 0.3s" in facts, facts
    assert len(hanging.seen) == 1  # one fetch of the site for website and amazon, no retry
    tries = lookup_domain_registration.retries + 1
    assert len(server.calls(f"/domain/{SHOP}")) == tries  # one request a try, the task retries
    assert assessment.criteria["address"].verdict is Verdict.PASS
    assert assessment.recommendation is Recommendation.REVIEW
