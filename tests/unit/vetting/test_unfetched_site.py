"""A site csflows could not fetch is a fail only on evidence (seed 001 asks for a functioning
website; csflows not being able to look is not an answer): the rule, and how the fetcher tells
a fault of ours or the network's from what the site or the resolver said."""

from __future__ import annotations

import socket

import pytest

from csflows.clients.website import FetchFault, FetchLimits, Pin, fetch_page
from csflows.models import MissingField, Recommendation, Verdict
from csflows.vetting.criteria.recommendation import recommend
from csflows.vetting.criteria.website import unfetched_site, website_verdict
from tests.support.inquiries import inquiry

NXDOMAIN = "copperkettlecrafts.com: the name does not resolve (Name or service not known)"


@pytest.mark.parametrize(
    ("fault", "listed", "answered", "verdict"),
    [
        (FetchFault.SITE, None, False, Verdict.FAIL),  # a redirect loop: the site answered
        (FetchFault.NO_SUCH_NAME, False, False, Verdict.FAIL),  # RDAP: not registered
        (FetchFault.NO_SUCH_NAME, True, True, Verdict.FAIL),  # the registry answered just now
        (FetchFault.NO_SUCH_NAME, None, False, Verdict.REVIEW),  # RDAP unreachable: offline?
        (FetchFault.NO_SUCH_NAME, True, False, Verdict.REVIEW),  # RDAP only from the cache
        (FetchFault.UNREACHABLE, None, False, Verdict.REVIEW),
        (FetchFault.UNREACHABLE, False, True, Verdict.REVIEW),  # refused: DNS found it anyway
        (FetchFault.TIMEOUT, True, True, Verdict.REVIEW),
    ],
)
def test_a_site_not_fetched_fails_only_on_what_the_site_or_registry_said(
    fault: FetchFault, listed: bool | None, answered: bool, verdict: Verdict
) -> None:
    got, _ = unfetched_site(fault, NXDOMAIN, domain_listed=listed, registry_answered=answered)
    assert got is verdict


def test_the_review_says_csflows_could_not_check_the_host_and_why() -> None:
    _, why = unfetched_site(
        FetchFault.UNREACHABLE,
        "https://copperkettlecrafts.com/: cannot connect (connection refused)",
        domain_listed=None,
        registry_answered=False,
    )
    assert why.startswith(
        "the website could not be checked from here: https://copperkettlecrafts.com/"
    )
    assert "connection refused" in why and "not evidence about the site" in why
    _, offline = unfetched_site(
        FetchFault.NO_SUCH_NAME, NXDOMAIN, domain_listed=None, registry_answered=False
    )
    assert "copperkettlecrafts.com" in offline and "may be offline" in offline


def test_an_offline_machine_recommends_review_not_decline() -> None:
    """The new team's copper-kettle case: no name resolves and RDAP cannot be reached."""
    website = website_verdict(
        inquiry(website="https://copperkettlecrafts.com"),
        final_url=None,
        status=None,
        page_html=None,
        fetch_error=NXDOMAIN,
        fetch_fault=FetchFault.NO_SUCH_NAME,
        registered=None,
        registration_note=None,
        registration_error="rdap: cannot connect: ConnectionError",
        min_age_days=180,
    )
    assert website.verdict is Verdict.REVIEW
    assert recommend([], {"website": website}) is Recommendation.REVIEW
    assert recommend([MissingField(field="tax_id", reason="missing")], {"website": website}) is (
        Recommendation.INCOMPLETE
    )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_a_refused_connection_is_ours_or_the_networks_and_named() -> None:
    port = _free_port()  # nothing listens there
    limits = FetchLimits(pins={("shop.example", 443): Pin("127.0.0.1", port)})
    page = fetch_page("https://shop.example/", limits)
    assert page.fault is FetchFault.UNREACHABLE
    assert page.error == "https://shop.example/: cannot connect (connection refused)"


@pytest.mark.parametrize(
    ("code", "fault"),
    [
        (socket.EAI_NONAME, FetchFault.NO_SUCH_NAME),
        (socket.EAI_AGAIN, FetchFault.UNREACHABLE),  # the resolver could not answer
        (socket.EAI_FAIL, FetchFault.UNREACHABLE),
    ],
)
def test_the_resolvers_answer_is_told_from_its_failure(
    monkeypatch: pytest.MonkeyPatch, code: int, fault: FetchFault
) -> None:
    def resolver(*_: object, **__: object) -> object:
        raise socket.gaierror(code, "as the C library says it")

    monkeypatch.setattr(socket, "getaddrinfo", resolver)
    page = fetch_page("https://copperkettlecrafts.com", FetchLimits())
    assert page.fault is fault and page.error is not None
    assert page.error.startswith("copperkettlecrafts.com: the name")
