"""The website criterion: one guarded fetch per site (shared with the amazon check), the
domain's registration date from RDAP, and the verdict."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from urllib.parse import urlsplit

from prefect import task

from csflows.clients.rdap import Registration, lookup_registration
from csflows.clients.website import FetchLimits, WebPage, fetch_page, limits_from_env
from csflows.models import CheckResult, NewCustomerInquiry
from csflows.vetting.criteria.amazon import linked_pages
from csflows.vetting.criteria.website import website_verdict
from csflows.vetting.policy import vetting_policy
from tasks.checks import CHECK_RETRIES, IN_MEMORY


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
    """The few pages a person would open from the home page (about, shop, where to buy), at
    once, through the same guard; none when the home page could not be read."""
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
) -> CheckResult:
    """`page` and `registration` may be the exception their task ended with (allow_failure)."""
    if isinstance(page, BaseException):
        page = WebPage(requested_url=form.website or "", error=f"the fetch failed: {page}")
    found = registration if isinstance(registration, Registration) else None
    result = website_verdict(
        form,
        final_url=page.final_url,
        status=page.status,
        page_html=page.html,
        fetch_error=page.error,
        fetch_timed_out=page.timed_out,
        registered=found.registered if found else None,
        registration_note=found.note if found else None,
        registration_error=None if found else str(registration or "no lookup"),
        min_age_days=vetting_policy().website.min_domain_age_days,
    )
    result.api_calls = found.api_calls if found else 0
    return result
