"""Vetting time with the five checks concurrent (assess_inquiry) against the same checks run one
after another, with every external system a local server that answers after a set delay.

    PYTHONPATH=. python -m bench.vetting_checks [--delay 0.5] [--rounds 3]

Each round uses a fresh store, so no answer comes from the lookup cache.
"""

from __future__ import annotations

import argparse
import os

os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
import statistics
import tempfile
import time
from collections.abc import Callable

from prefect import flow

from csflows import store
from csflows.clients.cache import _store_ready
from csflows.models import CRITERIA, Assessment, NewCustomerInquiry
from csflows.rules.recommendation import recommend
from flows.vetting_checks import assess_inquiry
from tasks.address import check_address
from tasks.amazon import check_amazon
from tasks.form import check_completeness
from tasks.minimums import check_minimums
from tasks.products import check_products
from tasks.website import check_website, fetch_website, lookup_domain_registration
from tests.support import google, rdap
from tests.support.inquiries import inquiry
from tests.support.servers import HttpServer, Reply
from tests.support.sites import Page, SiteServer

SHOP = "paperlanterncrafts.com"


@flow(name="assess-inquiry-one-by-one")
def assess_one_by_one(form: NewCustomerInquiry) -> Assessment:
    """The baseline: the same tasks, each waiting for the one before."""
    missing = check_completeness(form)
    page = fetch_website(form.website or "")
    registration = lookup_domain_registration(form.website or "")
    criteria = {
        "amazon": check_amazon(form, page),
        "address": check_address(form),
        "website": check_website(form, page, registration),
        "products": check_products(form),
        "minimums": check_minimums(form),
    }
    return Assessment(recommendation=recommend(missing, criteria), criteria=criteria)


def _timed(run: Callable[[NewCustomerInquiry], Assessment], form: NewCustomerInquiry) -> float:
    os.environ["CSFLOWS_HOME"] = tempfile.mkdtemp(prefix="csflows-bench-")
    _store_ready(store.database_url())  # an empty store, migrated outside the timing
    start = time.perf_counter()
    assessment = run(form)
    elapsed = time.perf_counter() - start
    assert set(assessment.criteria) == set(CRITERIA), assessment
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--delay", type=float, default=0.5, help="seconds each server waits")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    apis, sites = HttpServer().start(), SiteServer().start()
    try:
        delay = args.delay
        apis.route(
            "POST",
            "/v1:validateAddress",
            Reply(200, google.validation({"business": True}), delay=delay),
        )
        apis.route(
            "POST",
            "/v1/places:searchText",
            Reply(200, google.places("Paper Lantern Crafts"), delay=delay),
        )
        apis.route(
            "GET",
            f"/domain/{SHOP}",
            Reply(200, rdap.domain(SHOP, "2009-08-13T16:21:09Z"), delay=delay),
        )
        url = sites.site(
            SHOP,
            "/",
            Page(
                body="<title>Paper Lantern Crafts</title><p>Scrapbooking since 1998.</p>",
                delay=delay,
            ),
        )
        os.environ.update(google.environment(apis.url))
        os.environ.update(
            CSFLOWS_RDAP_BASE_URL=apis.url,
            CSFLOWS_RESOLVE=sites.resolve_entry(SHOP),
            CSFLOWS_SKIP_BLOCK_LOOKUP="1",
            PREFECT_LOGGING_LEVEL="WARNING",
        )
        form = inquiry(website=url)
        _timed(assess_inquiry, form)  # warm-up: starts Prefect, imports, migrations
        concurrent, one_by_one = [], []
        for _ in range(args.rounds):
            concurrent.append(_timed(assess_inquiry, form))
            one_by_one.append(_timed(assess_one_by_one, form))
    finally:
        apis.stop()
        sites.stop()
    c, s = statistics.median(concurrent), statistics.median(one_by_one)
    print(f"external answer delay {delay:.2f}s, {args.rounds} rounds, medians:")
    print(f"  checks one after another: {s:6.2f}s")
    print(f"  checks concurrent:        {c:6.2f}s")
    print(f"  speed-up (one-by-one / concurrent): {s / c:.2f}x")


if __name__ == "__main__":
    main()
