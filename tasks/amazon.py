"""The amazon criterion: the form's answer and the already-fetched home page."""

from __future__ import annotations

from prefect import task

from csflows.clients.website import WebPage
from csflows.models import CheckResult, NewCustomerInquiry
from csflows.vetting.criteria.amazon import amazon_verdict, page_signals
from tasks.checks import IN_MEMORY


@task(name="check-amazon", **IN_MEMORY)
def check_amazon(form: NewCustomerInquiry, page: WebPage | BaseException | None) -> CheckResult:
    """`page` may be the exception the fetch task ended with (allow_failure): then review."""
    if not isinstance(page, WebPage) or page.error:
        return amazon_verdict(form, None)
    return amazon_verdict(form, page_signals(page.html), page.final_url)
