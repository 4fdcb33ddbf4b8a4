"""Vetting latency: the five checks against local servers that answer after a set delay.

    python bench/vetting_latency.py [--delay 1.0] [--rounds 5]

Measured in the same run, each time with a fresh store (no lookup cache answers), medians over
the rounds:

- slowest single check: each criterion alone with the fetches it needs, plain Python (its
  fetches at once, as the flow runs them): the least any vetting can take;
- one after another: the same checks in a Prefect flow, each waiting for the one before;
- concurrent: the `assess-inquiry` flow (what `csflows vet --no-gate` runs), and
  `vet-new-customer` from the submitted form to the supervisor's email (the approval gate).

Then where Prefect's own time goes: the same checks as plain Python threads, the flow's start,
its checks and its end, the API requests it makes. The last line is
`concurrent/slowest=X.XX concurrent/sequential=Y.YY`.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
os.environ.setdefault("CSFLOWS_SKIP_BLOCK_LOOKUP", "1")

import argparse
import copy
import functools
import inspect
import logging
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
from prefect import Flow, flow
from prefect.cache_policies import DEFAULT
from prefect.server.api.server import SubprocessASGIServer
from prefect.settings import (
    PREFECT_API_URL,
    PREFECT_LOGGING_TO_API_ENABLED,
    PREFECT_RESULTS_LOCAL_STORAGE_PATH,
    temporary_settings,
)

from csflows import store
from csflows.models import CRITERIA, Assessment, CheckResult, NewCustomerInquiry
from csflows.vetting.criteria.recommendation import recommend
from csflows.vetting.inquiries import InquiryRecord
from flows.vetting import (
    assess_inquiry,
    run_assess_inquiry,
    vet_new_customer,
    without_heartbeat,
)
from tasks.vetting import (
    assess,
    check_address,
    check_amazon,
    check_completeness,
    check_minimums,
    check_products,
    check_website,
    fetch_website,
    lookup_domain_registration,
)
from tests.support import google, rdap
from tests.support.inquiries import form_data
from tests.support.servers import HttpServer, Reply, SmtpServer
from tests.support.sites import Page, SiteServer

SHOP = "paperlanterncrafts.com"
HOME = "<title>Paper Lantern Crafts</title><p>Scrapbooking albums and stickers since 1998.</p>"


@contextmanager
def world(delay: float) -> Iterator[dict[str, Any]]:
    """Google, RDAP, the applicant's site and SMTP on 127.0.0.1; yields the form's data."""
    apis, sites, smtp = HttpServer().start(), SiteServer().start(), SmtpServer().start()
    try:
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
        url = sites.site(SHOP, "/", Page(body=HOME, delay=delay))
        os.environ.update(google.environment(apis.url))
        os.environ.update(smtp.env())
        os.environ.update(CSFLOWS_RDAP_BASE_URL=apis.url, CSFLOWS_RESOLVE=sites.resolve_entry(SHOP))
        yield form_data(website=url)
    finally:
        apis.stop()
        sites.stop()
        smtp.stop()


@contextmanager
def prefect_server() -> Iterator[str]:
    """A Prefect server of the bench's own, its API URL set as a user sets PREFECT_API_URL
    (with none set, `csflows vet --no-gate` runs its checks without a flow run)."""
    server = SubprocessASGIServer()
    server.start(timeout=120)
    try:
        yield server.api_url
    finally:
        server.stop()


def fresh_store(root: Path) -> None:
    """An empty store in a new home folder, migrated before the clock starts."""
    home = Path(tempfile.mkdtemp(prefix="store-", dir=root))
    os.environ["CSFLOWS_HOME"] = str(home)
    store.ready()


# --- the checks as plain Python: no Prefect ------------------------------------------------


def _website_alone(form: NewCustomerInquiry) -> CheckResult:
    """The website check with its two lookups at once, as the flow runs them."""
    with ThreadPoolExecutor(2) as pool:
        page = pool.submit(fetch_website.fn, form.website or "")
        registration = pool.submit(lookup_domain_registration.fn, form.website or "")
        return check_website.fn(form, page.result(), registration.result())


ALONE: dict[str, Callable[[NewCustomerInquiry], CheckResult]] = {
    "amazon": lambda form: check_amazon.fn(form, fetch_website.fn(form.website or "")),
    "address": check_address.fn,
    "website": _website_alone,
    "products": check_products.fn,
    "minimums": check_minimums.fn,
}


def plain_concurrent(form: NewCustomerInquiry) -> Assessment:
    """The flow's graph in a thread pool: what the checks cost without any orchestration."""
    missing = check_completeness.fn(form)
    with ThreadPoolExecutor(8) as pool:
        page = pool.submit(fetch_website.fn, form.website or "")
        registration = pool.submit(lookup_domain_registration.fn, form.website or "")
        futures = {
            "amazon": pool.submit(lambda: check_amazon.fn(form, page.result())),
            "address": pool.submit(check_address.fn, form),
            "website": pool.submit(
                lambda: check_website.fn(form, page.result(), registration.result())
            ),
            "products": pool.submit(check_products.fn, form),
            "minimums": pool.submit(check_minimums.fn, form),
        }
        criteria = {name: future.result() for name, future in futures.items()}
    return Assessment(recommendation=recommend(missing, criteria), criteria=criteria)


def plain_sequential(form: NewCustomerInquiry) -> Assessment:
    missing = check_completeness.fn(form)
    page = fetch_website.fn(form.website or "")
    registration = lookup_domain_registration.fn(form.website or "")
    criteria = {
        "amazon": check_amazon.fn(form, page),
        "address": check_address.fn(form),
        "website": check_website.fn(form, page, registration),
        "products": check_products.fn(form),
        "minimums": check_minimums.fn(form),
    }
    return Assessment(recommendation=recommend(missing, criteria), criteria=criteria)


# --- the checks through Prefect ------------------------------------------------------------


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


@dataclass
class Phases:
    """When the flow's own code started and ended, and the API requests made meanwhile."""

    body: list[float] = field(default_factory=list)
    requests: list[tuple[str, float]] = field(default_factory=list)  # path, seconds

    def note(self, request: httpx.Request, start: float) -> None:
        if request.url.path.startswith("/api/"):
            self.requests.append((request.url.path, time.perf_counter() - start))


PHASES = Phases()


def _send_probe(send: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(send)
    def probe(self: Any, request: httpx.Request, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return send(self, request, **kwargs)
        finally:
            PHASES.note(request, start)

    return probe


def _asend_probe(send: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(send)
    async def probe(self: Any, request: httpx.Request, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return await send(self, request, **kwargs)
        finally:
            PHASES.note(request, start)

    return probe


httpx.Client.send = _send_probe(httpx.Client.send)  # type: ignore[method-assign]
httpx.AsyncClient.send = _asend_probe(httpx.AsyncClient.send)  # type: ignore[method-assign]


def with_phases(prefect_flow: Flow[Any, Any]) -> Flow[Any, Any]:
    """The same flow, noting when its function starts and returns."""
    noted = copy.copy(prefect_flow)
    fn = prefect_flow.fn

    @functools.wraps(fn)
    def body(*args: Any, **kwargs: Any) -> Any:
        PHASES.body.append(time.perf_counter())
        try:
            return fn(*args, **kwargs)
        finally:
            PHASES.body.append(time.perf_counter())

    del body.__wrapped__  # its signature, with the annotations resolved where fn lives:
    body.__signature__ = inspect.signature(fn, eval_str=True)  # type: ignore[attr-defined]
    noted.fn = body
    return noted


# --- measuring ------------------------------------------------------------------------------


def timed(run: Callable[[NewCustomerInquiry], Any], form: NewCustomerInquiry) -> float:
    start = time.perf_counter()
    result = run(form)
    elapsed = time.perf_counter() - start
    if isinstance(result, Assessment):
        assert set(result.criteria) == set(CRITERIA), result
    return elapsed


def to_the_gate(data: dict[str, Any]) -> float:
    """vet-new-customer from the call to the supervisor asked (its `approval-requested` entry).
    Outside a deployment the run cannot suspend at the gate and fails there, after the clock."""
    start = datetime.now(UTC)
    logging.disable(logging.ERROR)
    try:
        vet_new_customer(data, source="bench", return_state=True)
    finally:
        logging.disable(logging.NOTSET)
    [waiting] = InquiryRecord.awaiting_approval()
    return (waiting.requested_at - start).total_seconds()


CHECK_TASKS = (
    check_completeness,
    fetch_website,
    lookup_domain_registration,
    check_amazon,
    check_address,
    check_website,
    check_products,
    check_minimums,
)


@contextmanager
def on_check_tasks(**options: Any) -> Iterator[None]:
    """Every check task with `options` (cache_policy, persist_result, tags) meanwhile."""
    saved = [(task, {name: getattr(task, name) for name in options}) for task in CHECK_TASKS]
    for task, _ in saved:
        for name, value in options.items():
            setattr(task, name, value)
    try:
        yield
    finally:
        for task, old in saved:
            for name, value in old.items():
                setattr(task, name, value)


@flow(name="bench-parent-nested")
def parent_nested(form: NewCustomerInquiry) -> Assessment:
    """A parent run with the checks in a nested assess-inquiry run (vet-new-customer before)."""
    return assess_inquiry(form)


@flow(name="bench-parent-inline")
def parent_inline(form: NewCustomerInquiry) -> Assessment:
    """A parent run with the checks as its own task runs (vet-new-customer now)."""
    return assess(form)


@dataclass
class Variant:
    """One Prefect feature switched against the shipped run; `cost` is its median difference."""

    label: str
    context: Callable[[], AbstractContextManager[Any]]
    run: Callable[[NewCustomerInquiry], Any] = run_assess_inquiry


VARIANTS = {
    "heartbeat": Variant(
        "+ the flow-run heartbeat thread (assess_inquiry called bare)", nullcontext, assess_inquiry
    ),
    "cache": Variant(
        "+ Prefect's default cache policy: inputs hashed, results persisted",
        lambda: on_check_tasks(cache_policy=DEFAULT, persist_result=True),
    ),
    "tags": Variant(
        "+ a division tag on each check task run (a concurrency-limit request each)",
        lambda: on_check_tasks(tags={"division:craft_hobby"}),
    ),
    "api logs": Variant(
        "- logs to the API (PREFECT_LOGGING_TO_API_ENABLED=false)",
        lambda: temporary_settings(updates={PREFECT_LOGGING_TO_API_ENABLED: False}),
    ),
}


@dataclass
class Figures:
    samples: dict[str, list[float]] = field(default_factory=dict)

    def add(self, name: str, seconds: float) -> None:
        self.samples.setdefault(name, []).append(seconds)

    def __getitem__(self, name: str) -> float:
        return statistics.median(self.samples[name])


def one_round(figures: Figures, data: dict[str, Any], root: Path) -> None:
    form = NewCustomerInquiry.model_validate(data)
    alone = []
    for criterion, check in ALONE.items():
        fresh_store(root)
        alone.append(timed(check, form))
        figures.add(f"alone {criterion}", alone[-1])
    figures.add("slowest", max(alone))
    for name, run in (
        ("plain sequential", plain_sequential),
        ("plain concurrent", plain_concurrent),
        ("sequential", assess_one_by_one),
        ("concurrent", run_assess_inquiry),
        ("parent nested", parent_nested),
        ("parent inline", parent_inline),
    ):
        fresh_store(root)
        figures.add(name, timed(run, form))
    for name, variant in VARIANTS.items():
        fresh_store(root)
        with variant.context():
            figures.add(name, timed(variant.run, form))
    fresh_store(root)
    figures.add("to the gate", to_the_gate(data))
    phases(figures, form, root)


def phases(figures: Figures, form: NewCustomerInquiry, root: Path) -> None:
    """The shipped run once more, split at its function's start and end."""
    fresh_store(root)
    PHASES.body.clear()
    PHASES.requests.clear()
    start = time.perf_counter()
    with without_heartbeat():
        with_phases(assess_inquiry)(form)
    end = time.perf_counter()
    figures.add("flow start", PHASES.body[0] - start)
    figures.add("flow body", PHASES.body[1] - PHASES.body[0])
    figures.add("flow end", end - PHASES.body[1])
    figures.add("api requests", len(PHASES.requests))
    figures.add("api seconds", sum(seconds for _, seconds in PHASES.requests))


def report(figures: Figures, delay: float, rounds: int) -> None:
    f = figures
    print(f"vetting latency, servers answering after {delay:.2f}s, medians of {rounds} rounds:")
    for criterion in ALONE:
        print(f"  {criterion:<10} alone (plain Python)          {f[f'alone {criterion}']:6.2f}s")
    print(f"  slowest single check                       {f['slowest']:6.2f}s")
    print(f"  one after another (Prefect flow)           {f['sequential']:6.2f}s")
    print(f"  concurrent: assess-inquiry flow            {f['concurrent']:6.2f}s")
    print(f"  vet-new-customer, form to approval gate    {f['to the gate']:6.2f}s")
    print("where Prefect's time goes (assess-inquiry):")
    print(f"  plain Python, one after another            {f['plain sequential']:6.2f}s")
    print(f"  plain Python threads, the flow's graph     {f['plain concurrent']:6.2f}s")
    overhead = f["concurrent"] - f["plain concurrent"]
    print(f"  Prefect over plain threads                 {overhead:+6.2f}s")
    print(f"    flow start (create run, Running, name)   {f['flow start']:6.2f}s")
    print(f"    flow body (the checks as task runs)      {f['flow body']:6.2f}s")
    print(f"    flow end (result, Completed, teardown)   {f['flow end']:6.2f}s")
    print(
        f"    API requests on the way                  {f['api requests']:6.0f} "
        f"({f['api seconds']:.2f}s waiting)"
    )
    print("  against the shipped run:")
    for name, variant in VARIANTS.items():
        print(f"    {variant.label:<76} {f[name] - f['concurrent']:+6.2f}s")
    nested = f["parent nested"] - f["parent inline"]
    print(
        f"    {'checks in a nested flow run instead of the parent run own tasks':<76} {nested:+6.2f}s"
    )
    print(
        f"concurrent/slowest={f['concurrent'] / f['slowest']:.2f} "
        f"concurrent/sequential={f['concurrent'] / f['sequential']:.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--delay", type=float, default=1.0, help="seconds each server waits")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    figures = Figures()
    with (
        world(args.delay) as data,
        tempfile.TemporaryDirectory(prefix="vetting-latency-") as tmp,
        prefect_server() as api,
    ):
        root = Path(tmp)
        results = temporary_settings(
            updates={PREFECT_RESULTS_LOCAL_STORAGE_PATH: root / "results", PREFECT_API_URL: api}
        )
        with results:  # the cache-policy variant's result files go with the rest
            one_round(Figures(), data, root)  # warm-up: imports, the server's first answers
            for _ in range(args.rounds):
                one_round(figures, data, root)
    report(figures, args.delay, args.rounds)


if __name__ == "__main__":
    main()
