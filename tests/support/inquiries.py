"""A complete, passing New Customer Inquiry Form to vary in tests, and vetting policy to match."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import yaml

from csflows.models import NewCustomerInquiry
from csflows.paths import PROJECT_ROOT
from tests.support import google, rdap
from tests.support.servers import HttpServer, Reply
from tests.support.sites import Page, SiteServer

COMPLETE_FORM = Path(__file__).parents[1] / "fixtures" / "forms" / "complete.json"


def form_data(**changes: Any) -> dict[str, Any]:
    data = json.loads(COMPLETE_FORM.read_text())
    address = changes.pop("address", None)
    if address:
        data["address"] = {**data["address"], **address}
    data.update(changes)
    return data


SHOP = "paperlanterncrafts.com"
HOME = "<title>Paper Lantern</title><h1>Paper Lantern Crafts</h1><p>Scrapbooking albums, stickers and paper crafting in Chicago since 1998.</p>"


@contextmanager
def applicant_online(http_server: HttpServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Google and RDAP on `http_server`, the applicant's site on another, the environment
    pointed at them; yields the site's URL. One fetch of the site feeds the website and amazon
    checks."""
    sites = SiteServer().start()
    url = sites.site(SHOP, "/", Page(body=HOME))
    monkeypatch.setenv("CSFLOWS_RESOLVE", sites.resolve_entry(SHOP))
    monkeypatch.setenv("CSFLOWS_RDAP_BASE_URL", http_server.url)
    for key, value in google.environment(http_server.url).items():
        monkeypatch.setenv(key, value)
    http_server.route(
        "POST",
        "/v1:validateAddress",
        Reply(200, google.validation({"business": True, "residential": False})),
    )
    http_server.route(
        "POST", "/v1/places:searchText", Reply(200, google.places("Paper Lantern Crafts"))
    )
    http_server.route(
        "GET", f"/domain/{SHOP}", Reply(200, rdap.domain(SHOP, "2009-08-13T16:21:09Z"))
    )
    yield url
    assert len(sites.seen) <= 1
    sites.stop()


def inquiry(**changes: Any) -> NewCustomerInquiry:
    return NewCustomerInquiry.model_validate(form_data(**changes))


def short_timeouts_config(folder: Path, **lookups: float) -> Path:
    """A copy of config/ whose vetting.yaml has short website timeouts and these `lookups`
    (timeout_seconds): point CSFLOWS_CONFIG_DIR at it."""
    shutil.copytree(PROJECT_ROOT / "config", folder)
    policy = yaml.safe_load((folder / "vetting.yaml").read_text())
    policy["lookups"] |= lookups
    policy["website"] |= {
        "connect_timeout_seconds": 0.5,
        "read_timeout_seconds": 0.5,
        "total_timeout_seconds": 1,
    }
    (folder / "vetting.yaml").write_text(yaml.safe_dump(policy))
    return folder
