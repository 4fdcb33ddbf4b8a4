"""Vetting's tasks (seed 001): the completeness check, the five criteria a supervisor reviews
(amazon, address, website, products, minimums) with the fetches and lookups they need, the
assessment that submits them at once, and the customer record once the first PO arrives.

Thin wrappers over `csflows.vetting` rules and `csflows.clients`: results in memory only (the
flow keeps the assessment in the store, per round), retries for transient faults only and few,
with short pauses (each try sends each request once; a vetting should not wait minutes).
"""

from __future__ import annotations

import logging
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

from prefect import task
from prefect.cache_policies import NO_CACHE
from prefect.futures import PrefectFuture
from prefect.utilities.annotations import allow_failure

from blocks import GoogleMapsCredentials, resolve
from csflows import netsuite
from csflows.calendar import business_calendar
from csflows.clients.google import GoogleMaps
from csflows.clients.rdap import Registration, lookup_registration
from csflows.clients.website import (
    FetchFault,
    FetchLimits,
    WebPage,
    fetch_page,
    limits_from_env,
)
from csflows.divisions import divisions
from csflows.errors import DivisionNotFound, ExternalError, is_transient
from csflows.models import (
    Assessment,
    CheckResult,
    Customer,
    Division,
    MissingField,
    NewCustomerInquiry,
)
from csflows.vetting import onboarding
from csflows.vetting.criteria.address import address_verdict, offline_verdict
from csflows.vetting.criteria.amazon import amazon_verdict, linked_pages, page_signals
from csflows.vetting.criteria.completeness import missing_fields
from csflows.vetting.criteria.errored import errored_check
from csflows.vetting.criteria.minimums import minimums_verdict
from csflows.vetting.criteria.products import products_verdict
from csflows.vetting.criteria.recommendation import recommend
from csflows.vetting.criteria.website import website_verdict
from csflows.vetting.policy import vetting_policy
from csflows.vetting.timezones import zone_for_region
from tasks.retry import TRANSIENT_RETRIES

IN_MEMORY: dict[str, Any] = {"persist_result": False, "cache_policy": NO_CACHE}
"""No input hashing and no result files: the caller keeps the assessment in the store (per
round, so a resumed vetting reads it back) and lookups are cached there, not by Prefect."""

CHECK_RETRIES: dict[str, Any] = {
    **IN_MEMORY,
    **TRANSIENT_RETRIES,
    "retries": 3,
    "retry_delay_seconds": [2, 5, 15],
}


@task(name="check-completeness", **IN_MEMORY)
def check_completeness(
    form: NewCustomerInquiry, unreadable: list[MissingField] | None = None
) -> list[MissingField]:
    """Every missing or invalid field at once (no external calls)."""
    return missing_fields(form, unreadable or ())


def division_of(form: NewCustomerInquiry) -> Division | None:
    try:
        return divisions().get(form.division or "")
    except DivisionNotFound:
        return None


@task(name="check-products", **IN_MEMORY)
def check_products(form: NewCustomerInquiry) -> CheckResult:
    return products_verdict(
        form,
        division_of(form),
        vetting_policy().products.match_score,
        others=divisions().divisions,
    )


@task(name="check-minimums", **IN_MEMORY)
def check_minimums(form: NewCustomerInquiry) -> CheckResult:
    return minimums_verdict(form, division_of(form))


@task(name="check-amazon", **IN_MEMORY)
def check_amazon(
    form: NewCustomerInquiry,
    page: WebPage | BaseException | None,
    linked: list[WebPage] | BaseException | None = None,
) -> CheckResult:
    """The home page and the pages linked from it that could be read; `page` or `linked` may
    be the exception their fetch ended with (allow_failure): no home page is a review."""
    if not isinstance(page, WebPage) or page.error:
        return amazon_verdict(form, None)
    return amazon_verdict(
        form,
        page_signals(page.html),
        page.final_url,
        [(p.final_url or p.requested_url, page_signals(p.html)) for p in _read(linked)],
    )


def _read(linked: list[WebPage] | BaseException | None) -> list[WebPage]:
    """The linked pages that could be read (none when their fetch task failed)."""
    if not isinstance(linked, list):
        return []
    return [p for p in linked if not p.error and (p.status or 200) < 400]


def _limits() -> FetchLimits:
    policy = vetting_policy().website
    return limits_from_env(
        max_redirects=policy.max_redirects,
        max_bytes=policy.max_bytes,
        connect_timeout=policy.connect_timeout_seconds,
        read_timeout=policy.read_timeout_seconds,
        total_timeout=policy.total_timeout_seconds,
    )


@task(name="fetch-website", task_run_name="fetch {url}", **IN_MEMORY)
def fetch_website(url: str) -> WebPage:
    """The applicant's home page through the SSRF-guarded fetcher; failures are in `error`."""
    return fetch_page(url, _limits())


@task(name="fetch-linked-pages", **IN_MEMORY)
def fetch_linked_pages(home: WebPage | BaseException) -> list[WebPage]:
    """The few pages a person would open from the home page (about, shop, where to buy, FAQ,
    contact), at once, through the same guard; none when the home page could not be read."""
    if not isinstance(home, WebPage) or home.error or not home.final_url:
        return []
    urls = linked_pages(home.html, home.final_url, vetting_policy().website.linked_pages)
    if not urls:
        return []
    limits = _limits()
    with ThreadPoolExecutor(max_workers=len(urls)) as pool:
        return list(pool.map(lambda url: fetch_page(url, limits), urls))


@task(name="lookup-domain-registration", task_run_name="rdap {url}", **CHECK_RETRIES)
def lookup_domain_registration(url: str) -> Registration:
    lookups = vetting_policy().lookups
    host = urlsplit(url if "://" in url else f"https://{url}").hostname or url
    return lookup_registration(
        host,
        timedelta(days=lookups.cache_days),
        lookups.rdap_requests_per_second,
        timeout=lookups.timeout_seconds,
    )


@task(name="check-website", **IN_MEMORY)
def check_website(
    form: NewCustomerInquiry,
    page: WebPage | BaseException,
    registration: Registration | BaseException | None,
    linked: list[WebPage] | BaseException | None = None,
) -> CheckResult:
    """`page`, `registration` and `linked` (the pages read behind the home page, which show
    whether a login wall hides a real site) may be the exception their task ended with."""
    if isinstance(page, BaseException):
        page = WebPage(
            requested_url=form.website or "",
            error=f"the fetch failed: {page}",
            fault=FetchFault.UNREACHABLE,  # our side: the task itself failed
        )
    found = registration if isinstance(registration, Registration) else None
    result = website_verdict(
        form,
        final_url=page.final_url,
        status=page.status,
        page_html=page.html,
        fetch_error=page.error,
        fetch_fault=page.fault or FetchFault.SITE,
        registered=found.registered if found else None,
        registration_note=found.note if found else None,
        registration_error=None if found else str(registration or "no lookup"),
        domain_listed=found.listed if found else None,
        registry_answered=bool(found and found.api_calls),
        min_age_days=vetting_policy().website.min_domain_age_days,
        linked=[(p.final_url or p.requested_url, p.html) for p in _read(linked)],
    )
    result.api_calls = found.api_calls if found else 0
    return result


def maps_client() -> GoogleMaps:
    lookups = vetting_policy().lookups
    return GoogleMaps(
        resolve(GoogleMapsCredentials),
        timedelta(days=lookups.cache_days),
        timeout=lookups.timeout_seconds,
    )


@task(name="customer-time-zone", **CHECK_RETRIES)
def customer_time_zone(form: NewCustomerInquiry) -> str:
    """The new customer's time zone: Google's for the geocoded address, else the zone of the
    address's state or province, else the business calendar's."""
    fallback = zone_for_region(form.address.region, business_calendar().timezone)
    maps = maps_client()
    if not maps.configured:
        return fallback
    try:
        return maps.time_zone(form.address) or fallback
    except (ExternalError, ValueError) as exc:  # a refused or garbled answer must not stop
        # the customer's creation: the state's zone is a good answer too
        logging.getLogger(__name__).warning(
            "time zone lookup refused (%s): using %s", exc, fallback
        )
        return fallback


@task(name="check-address", **CHECK_RETRIES)
def check_address(form: NewCustomerInquiry) -> CheckResult:
    maps = maps_client()
    if not maps.configured:
        return offline_verdict(form)
    name = form.business_name or form.dba or ""
    with ThreadPoolExecutor(2, thread_name_prefix="address") as pool:  # both at once
        searching = pool.submit(maps.search_places, name, form.address)
        validation, cached = maps.validate(form.address)
        places, places_cached = searching.result()
    calls = int(not cached) + int(not places_cached)
    geocode = None
    if not (validation.get("result") or {}).get("metadata"):
        geocode, cached = maps.geocode(form.address)
        calls += not cached
    result = address_verdict(
        form, validation, places, geocode, vetting_policy().address.places_name_score
    )
    result.api_calls = calls
    return result


def _tolerate(future: PrefectFuture[Any]) -> Any:
    """Pass an upstream's exception to the check instead of skipping it (allow_failure)."""
    return allow_failure(future)


def _outcome(criterion: str, future: PrefectFuture[Any]) -> CheckResult:
    """The check's result, or review with the error when the check failed after its retries."""
    future.wait()
    state = future.state
    if state.is_completed():
        return future.result()
    try:
        future.result(raise_on_failure=True)
    except Exception as exc:  # the task's exception: API error, timeout, bug
        return errored_check(criterion, exc)
    return errored_check(criterion, f"ended {state.name}")


def assess(form: NewCustomerInquiry, form_problems: list[MissingField] | None = None) -> Assessment:
    """The checks as task runs of the calling flow run; their results stay in memory (the
    caller keeps the assessment: vet-new-customer in its store, per round)."""
    missing = check_completeness(form, form_problems)
    if missing:
        return Assessment(recommendation=recommend(missing, {}), missing_fields=missing)
    futures = _submit_checks(form)
    criteria = {name: _outcome(name, future) for name, future in futures.items()}
    return Assessment(recommendation=recommend([], criteria), criteria=criteria)


def _submit_checks(form: NewCustomerInquiry) -> dict[str, PrefectFuture[CheckResult]]:
    """The five criteria at once; one fetch of the home page feeds both website and amazon, and
    the pages linked from it (about, where it sells, FAQ, contact) feed both too."""
    page = fetch_website.submit(form.website or "")
    linked = fetch_linked_pages.submit(_tolerate(page))
    registration = lookup_domain_registration.submit(form.website or "")
    return {
        "amazon": check_amazon.submit(form, _tolerate(page), _tolerate(linked)),
        "address": check_address.submit(form),
        "website": check_website.submit(
            form, _tolerate(page), _tolerate(registration), _tolerate(linked)
        ),
        "products": check_products.submit(form),
        "minimums": check_minimums.submit(form),
    }


def assess_in_threads(
    form: NewCustomerInquiry, form_problems: list[MissingField] | None = None
) -> Assessment:
    """The same checks as `assess`, in the same order and with the same tolerance of a failed
    fetch, as plain calls on a few threads of the caller instead of a task run each: for a run
    that assesses hundreds of inquiries at once (a burst), where ten task runs per inquiry cost
    more than the checks themselves. Transient faults are retried as the tasks' retries do."""
    missing = missing_fields(form, form_problems or ())
    if missing:
        return Assessment(recommendation=recommend(missing, {}), missing_fields=missing)
    url = form.website or ""
    with ThreadPoolExecutor(3, thread_name_prefix="checks") as pool:
        page_f = pool.submit(_value_or_error, fetch_website.fn, url)
        registration_f = pool.submit(_value_or_error, _retried(lookup_domain_registration.fn), url)
        address_f = pool.submit(_checked, "address", _retried(check_address.fn), form)
        page = page_f.result()
        linked = _value_or_error(fetch_linked_pages.fn, page)
        registration = registration_f.result()
        criteria = {
            "amazon": _checked("amazon", check_amazon.fn, form, page, linked),
            "address": address_f.result(),
            "website": _checked("website", check_website.fn, form, page, registration, linked),
            "products": _checked("products", check_products.fn, form),
            "minimums": _checked("minimums", check_minimums.fn, form),
        }
    return Assessment(recommendation=recommend([], criteria), criteria=criteria)


def _value_or_error(call: Any, *args: Any) -> Any:
    """`call(*args)`, or the exception it raised (what allow_failure hands a task)."""
    try:
        return call(*args)
    except Exception as exc:  # the next check decides what a failed fetch means
        return exc


def _checked(criterion: str, call: Any, *args: Any) -> CheckResult:
    """The check's result, or review with the error when it failed (as `_outcome`)."""
    result = _value_or_error(call, *args)
    return errored_check(criterion, result) if isinstance(result, Exception) else result


def _retried(call: Any) -> Any:
    """`call`, tried again after CHECK_RETRIES' delays while it fails transiently."""

    def attempts(*args: Any) -> Any:
        for delay in [*CHECK_RETRIES["retry_delay_seconds"], None]:
            try:
                return call(*args)
            except Exception as exc:
                if delay is None or not is_transient(exc):
                    raise
                time.sleep(delay)
        raise AssertionError("unreachable")  # the last attempt returned or raised

    return attempts


@task(name="save-customer", task_run_name="save customer for inquiry {inquiry_id}")
def save_customer_task(
    inquiry_id: int, customer: Customer, po_number: str, amount: Decimal
) -> Customer:
    """Once per inquiry: a re-run finds the customer it saved."""
    saved, _created = onboarding.save_new_customer(inquiry_id, customer, po_number, amount)
    return saved


@task(
    name="netsuite-customer", task_run_name="netsuite customer {customer.id}", **TRANSIENT_RETRIES
)
def netsuite_customer_task(inquiry_id: int, customer: Customer) -> str | None:
    """Upsert the customer in NetSuite (by external id) unless it already has its NetSuite id."""
    from blocks import NetSuiteCredentials, resolve

    credentials = resolve(NetSuiteCredentials)
    if not credentials.configured:
        return None
    known = onboarding.netsuite_id(customer.id)
    if known:
        return known
    internal_id = netsuite.upsert_customer(
        credentials, customer, onboarding.external_id(inquiry_id)
    )
    onboarding.set_netsuite_id(customer.id, internal_id)
    return internal_id
