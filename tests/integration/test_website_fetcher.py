"""The guarded website fetcher against a real local web server: pins, the SSRF guard on every
hop, redirect and byte caps, timeouts."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from csflows.clients.website import FetchLimits, Pin, fetch, limits_from_env
from csflows.errors import FetchError, FetchRefused
from tests.support.sites import Page, SiteServer, zeros
from tests.support.tls import make_certificates

pytestmark = pytest.mark.integration

SHOP = "paperlanterncrafts.com"


@pytest.fixture
def sites(monkeypatch: pytest.MonkeyPatch) -> Iterator[SiteServer]:
    server = SiteServer().start()
    monkeypatch.setenv("CSFLOWS_RESOLVE", server.resolve_entry(SHOP, "www." + SHOP))
    monkeypatch.delenv("CSFLOWS_ALLOW_PRIVATE_NETWORKS", raising=False)
    yield server
    server.stop()


def test_pinned_site_is_fetched_with_its_host_name(sites: SiteServer) -> None:
    url = sites.site(SHOP, "/", Page(body="<title>Paper Lantern</title>"))
    page = fetch(url, limits_from_env())
    assert page.status == 200 and "Paper Lantern" in page.html and page.address == "127.0.0.1"
    assert sites.seen == [(f"{SHOP}:{sites.port}", "/")]


def test_default_guard_refuses_loopback_targets(sites: SiteServer) -> None:
    with pytest.raises(FetchRefused, match="127.0.0.1 is a loopback address"):
        fetch(f"http://127.0.0.1:{sites.port}/", limits_from_env())
    with pytest.raises(FetchRefused, match="loopback"):
        fetch(f"http://localhost:{sites.port}/", limits_from_env())
    assert sites.seen == []  # refused before connecting


def test_redirect_to_loopback_is_refused_with_the_guard_on(sites: SiteServer) -> None:
    url = sites.site(
        SHOP, "/", Page(302, headers={"Location": f"http://127.0.0.1:{sites.port}/admin"})
    )
    with pytest.raises(FetchRefused, match="loopback"):
        fetch(url, limits_from_env())
    assert [path for _, path in sites.seen] == ["/"]


def test_allowing_private_networks_follows_the_redirect(
    sites: SiteServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CSFLOWS_ALLOW_PRIVATE_NETWORKS", "1")
    sites.site("127.0.0.1", "/admin", Page(body="<p>inside</p>"))
    url = sites.site(
        SHOP, "/", Page(302, headers={"Location": f"http://127.0.0.1:{sites.port}/admin"})
    )
    page = fetch(url, limits_from_env())
    assert page.html == "<p>inside</p>" and page.redirects == [
        f"http://127.0.0.1:{sites.port}/admin"
    ]


def test_redirect_to_the_metadata_address_is_refused_even_when_private_is_allowed(
    sites: SiteServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CSFLOWS_ALLOW_PRIVATE_NETWORKS", "1")
    metadata = "http://169.254.169.254/latest/meta-data/iam/security-credentials/"
    url = sites.site(SHOP, "/", Page(301, headers={"Location": metadata}))
    with pytest.raises(FetchRefused, match="169.254.169.254"):
        fetch(url, limits_from_env())
    monkeypatch.delenv("CSFLOWS_ALLOW_PRIVATE_NETWORKS")
    with pytest.raises(FetchRefused, match="169.254.169.254"):
        fetch(url, limits_from_env())


def test_looping_redirects_stop(sites: SiteServer) -> None:
    sites.site(SHOP, "/a", Page(302, headers={"Location": "/b"}))
    url = sites.site(
        SHOP, "/b", Page(302, headers={"Location": f"http://www.{SHOP}:{sites.port}/c"})
    )
    sites.site(
        "www." + SHOP, "/c", Page(307, headers={"Location": f"http://{SHOP}:{sites.port}/a"})
    )
    with pytest.raises(FetchError, match="redirect loop"):
        fetch(url, limits_from_env())


def test_too_many_redirects(sites: SiteServer) -> None:
    for n in range(10):
        sites.site(SHOP, f"/{n}", Page(302, headers={"Location": f"/{n + 1}"}))
    with pytest.raises(FetchError, match="more than 3 redirects"):
        fetch(
            sites.site(SHOP, "/0", Page(302, headers={"Location": "/1"})),
            limits_from_env(max_redirects=3),
        )
    assert len(sites.seen) == 4


def test_a_50_mb_page_is_read_only_up_to_the_cap(sites: SiteServer) -> None:
    total = 50 * 1024 * 1024
    url = sites.site(SHOP, "/", Page(body=zeros(total), length=total))
    page = fetch(url, limits_from_env(max_bytes=1_000_000))
    assert page.truncated and len(page.html) == 1_000_000
    assert sites.bytes_sent < total  # the fetcher hung up; the rest was never sent


def test_a_slow_site_times_out(sites: SiteServer) -> None:
    url = sites.site(SHOP, "/", Page(body="late", delay=1.0))
    with pytest.raises(FetchError, match="timed out"):
        fetch(url, limits_from_env(read_timeout=0.2))


def test_pins_are_host_and_port_specific() -> None:
    limits = FetchLimits(pins={("shop.example", 8080): Pin("127.0.0.1", 8080)})
    with pytest.raises(FetchError, match="does not resolve|loopback|cannot connect"):
        fetch("http://shop.example:9/", limits)


def test_https_connects_to_the_pinned_address_with_the_sites_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """TLS is verified for the host name (SNI and certificate), not for 127.0.0.1."""
    ca, cert, key = make_certificates(tmp_path, SHOP)
    server = SiteServer(tls=(str(cert), str(key))).start()
    try:
        url = server.site(SHOP, "/", Page(body="<title>Paper Lantern</title>"))
        monkeypatch.setenv("CSFLOWS_RESOLVE", server.resolve_entry(SHOP, "other.example"))
        page = fetch(url, replace(limits_from_env(), ca_bundle=str(ca)))
        assert page.status == 200 and page.final_url == url and "Paper Lantern" in page.html
        wrong_name = f"https://other.example:{server.port}/"
        with pytest.raises(FetchError, match="TLS certificate problem"):
            fetch(wrong_name, replace(limits_from_env(), ca_bundle=str(ca)))
        with pytest.raises(FetchError, match="TLS certificate problem"):
            fetch(url, limits_from_env())  # our test CA is not trusted by default
    finally:
        server.stop()


def test_a_pin_with_a_port_serves_https_on_443_from_a_local_port_with_its_own_ca(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """How the demo world serves `https://maplestreetpaper.example`: pinned to 127.0.0.1 at the
    stand-in's port, its certificate signed by the CA named in CSFLOWS_CA_BUNDLE."""
    ca, cert, key = make_certificates(tmp_path, SHOP)
    server = SiteServer(tls=(str(cert), str(key))).start()
    try:
        server.site(SHOP, "/", Page(body="<title>Paper Lantern</title>"))
        monkeypatch.setenv("CSFLOWS_RESOLVE", server.resolve_entry(SHOP, as_port=443))
        monkeypatch.setenv("CSFLOWS_CA_BUNDLE", str(ca))
        page = fetch(f"https://{SHOP}/", limits_from_env())
        assert page.status == 200 and "Paper Lantern" in page.html
        assert server.seen == [(SHOP, "/")]  # the Host header names no port
    finally:
        server.stop()
