"""Website and amazon criteria end to end at the task level: the guarded fetch of a real local
site (named through CSFLOWS_RESOLVE), RDAP from a local registry, the verdicts."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from csflows.clients.rdap import registrable_domain
from csflows.models import CheckResult, Verdict
from tasks.vetting import (
    check_amazon,
    check_website,
    fetch_linked_pages,
    fetch_website,
    lookup_domain_registration,
)
from tests.support import rdap
from tests.support.inquiries import inquiry
from tests.support.servers import HttpServer, Reply
from tests.support.sites import Page, SiteServer

pytestmark = pytest.mark.integration

SHOP = "paperlanterncrafts.com"
HOME = "<title>Paper Lantern | Scrapbooking in Chicago</title><h1>Paper Lantern Crafts</h1><p>Albums, stickers and paper crafting supplies for our neighbours since 1998.</p>"


@pytest.fixture
def sites(monkeypatch: pytest.MonkeyPatch) -> Iterator[SiteServer]:
    server = SiteServer().start()
    monkeypatch.setenv("CSFLOWS_RESOLVE", server.resolve_entry(SHOP, "www." + SHOP))
    yield server
    server.stop()


@pytest.fixture
def registry(
    http_server: HttpServer, monkeypatch: pytest.MonkeyPatch, store_ready: object
) -> HttpServer:
    monkeypatch.setenv("CSFLOWS_RDAP_BASE_URL", http_server.url)
    http_server.route(
        "GET", f"/domain/{SHOP}", Reply(200, rdap.domain(SHOP, "2009-08-13T16:21:09Z"))
    )
    return http_server


def _vet_site(sites: SiteServer, html: str, status: int = 200) -> tuple[CheckResult, CheckResult]:
    url = sites.site(SHOP, "/", Page(status, html))
    form = inquiry(website=url)
    page = fetch_website.fn(url)
    registration = lookup_domain_registration.fn(url)
    return check_website.fn(form, page, registration), check_amazon.fn(form, page)


def test_a_fine_site_passes_both(sites: SiteServer, registry: HttpServer) -> None:
    website, amazon = _vet_site(sites, HOME)
    assert website.verdict is Verdict.PASS and amazon.verdict is Verdict.PASS
    assert website.api_calls == 1
    assert any("registered 2009-08-13" in e.fact for e in website.evidence)
    assert len(sites.seen) == 1  # one fetch feeds both checks


@pytest.mark.parametrize(
    "html",
    [
        "<title>paperlanterncrafts.com</title><h1>This domain is for sale!</h1><p>Make an offer on this domain today.</p>",
        "<title>paperlanterncrafts.com - Related Searches</title><p>Related searches: craft supplies</p><script src='//sedoparking.com/x.js'></script>",
        "<title>Paper Lantern</title><h1>Coming soon</h1><p>Our site is under construction.</p>",
        "<title>Welcome to nginx!</title><h1>Welcome to nginx!</h1>",
    ],
)
def test_parked_and_unfinished_sites_fail(
    sites: SiteServer, registry: HttpServer, html: str
) -> None:
    website, _ = _vet_site(sites, html)
    assert website.verdict is Verdict.FAIL


def test_an_error_status_fails(sites: SiteServer, registry: HttpServer) -> None:
    website, amazon = _vet_site(sites, "<h1>Internal Server Error</h1>", status=500)
    assert website.verdict is Verdict.FAIL and "HTTP 500" in website.evidence[-1].fact


@pytest.mark.parametrize(
    "link",
    [
        "https://www.amazon.com/sp?seller=A3PAPERLANTERN",
        "https://amzn.to/4bQxYz1",
        "https://www.amazon.com/stores/PaperLantern/page/9F1C",
    ],
)
def test_a_site_linking_a_storefront_fails_amazon(
    sites: SiteServer, registry: HttpServer, link: str
) -> None:
    website, amazon = _vet_site(
        sites, HOME + f'<footer><a href="{link}">Shop our store</a></footer>'
    )
    assert amazon.verdict is Verdict.FAIL and any(e.link == link for e in amazon.evidence)
    assert website.verdict is Verdict.PASS


def _vet_with_linked_pages(sites: SiteServer, home: str) -> CheckResult:
    url = sites.site(SHOP, "/", Page(200, home))
    page = fetch_website.fn(url)
    return check_amazon.fn(inquiry(website=url), page, fetch_linked_pages.fn(page))


def test_an_about_page_that_says_it_sells_on_amazon_fails_and_names_the_page(
    sites: SiteServer, registry: HttpServer
) -> None:
    """Seed 001: "Does the customer mention of being an Amazon supplier on their website?" A
    person looks past the home page; so does the check."""
    about = sites.site(SHOP, "/about-us", Page(200, "<p>Find us on Amazon and Etsy!</p>"))
    amazon = _vet_with_linked_pages(sites, HOME + '<nav><a href="/about-us">About us</a></nav>')
    assert amazon.verdict is Verdict.FAIL
    [said] = [e for e in amazon.evidence if e.source == "website" and " says " in e.fact]
    assert said.fact == f'{about} says "Find us on Amazon and Etsy!" (sells on Amazon)'
    assert said.link == about


def test_only_a_few_same_site_where_it_sells_pages_are_read(
    sites: SiteServer, registry: HttpServer
) -> None:
    for path in ("/about", "/shop", "/where-to-buy", "/stockists", "/retailers", "/blog"):
        sites.site(SHOP, path, Page(200, "<p>Handmade in Chicago.</p>"))
    home = HOME + "".join(
        f'<a href="{href}">{text}</a>'
        for href, text in [
            ("/blog", "Our blog"),  # not where it sells
            ("https://elsewhere.example/shop", "Shop"),  # another site: never fetched
            ("/about", "About"),
            ("/about#team", "Team"),  # the same page again
            ("/shop", "Shop"),
            ("/where-to-buy", "Where to buy"),
            ("/stockists", "Stockists"),
            ("/retailers", "Retailers"),  # past the cap of 4
        ]
    )
    amazon = _vet_with_linked_pages(sites, home)
    assert amazon.verdict is Verdict.PASS
    assert sorted(path for _, path in sites.seen) == [
        "/",
        "/about",
        "/shop",
        "/stockists",
        "/where-to-buy",
    ]
    assert "no Amazon storefront link or mention on the home page, " in amazon.evidence[-1].fact


def test_a_site_whose_domain_does_not_exist_fails_website_and_amazon_goes_to_review(
    registry: HttpServer,
) -> None:
    url = "http://paperlanterncrafts.invalid/"
    page = fetch_website.fn(url)
    assert page.error
    registration = lookup_domain_registration.fn(url)  # the registry has no record of it
    assert check_website.fn(inquiry(website=url), page, registration).verdict is Verdict.FAIL
    # without the registry's word the name's absence may be this machine's: a person looks
    assert check_website.fn(inquiry(website=url), page, None).verdict is Verdict.REVIEW
    assert check_amazon.fn(inquiry(website=url), page).verdict is Verdict.REVIEW


def test_young_domain_goes_to_review(sites: SiteServer, registry: HttpServer) -> None:
    young = (datetime.now(UTC) - timedelta(days=40)).strftime("%Y-%m-%dT%H:%M:%SZ")
    registry.route("GET", f"/domain/{SHOP}", Reply(200, rdap.domain(SHOP, young)))
    website, _ = _vet_site(sites, HOME)
    assert website.verdict is Verdict.REVIEW
    assert any("younger than 180 days" in e.fact for e in website.evidence)


def test_unknown_domain_404_is_a_note_and_cached(sites: SiteServer, registry: HttpServer) -> None:
    registry.route("GET", f"/domain/{SHOP}", Reply(404, rdap.NOT_FOUND))
    website, _ = _vet_site(sites, HOME)
    assert website.verdict is Verdict.PASS
    assert any(f"RDAP has no record of {SHOP}" in e.fact for e in website.evidence)
    second = lookup_domain_registration.fn(f"https://www.{SHOP}/")
    assert second.api_calls == 0 and len(registry.calls("/domain/")) == 1


def test_rdap_outage_is_an_error_for_the_flow_to_turn_into_review(registry: HttpServer) -> None:
    registry.route("GET", f"/domain/{SHOP}", Reply(503, {"errorCode": 503, "title": "Unavailable"}))
    from csflows.errors import TransientApiError

    with pytest.raises(TransientApiError, match="rdap: Unavailable"):
        lookup_domain_registration.fn(f"https://{SHOP}/")


def test_registrable_domain() -> None:
    assert registrable_domain("www.paperlanterncrafts.com") == SHOP
    assert registrable_domain("shop.paperlantern.co.uk") == "paperlantern.co.uk"
