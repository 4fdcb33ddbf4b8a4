"""The amazon criterion: the form's answer and the already-fetched home page."""

from __future__ import annotations

from prefect import task

from csflows.clients.website import WebPage
from csflows.models import CheckResult, NewCustomerInquiry
from csflows.vetting.criteria.amazon import amazon_verdict, page_signals
from tasks.checks import IN_MEMORY


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
    read = [p for p in linked if not p.error] if isinstance(linked, list) else []
    return amazon_verdict(
        form,
        page_signals(page.html),
        page.final_url,
        [(p.final_url or p.requested_url, page_signals(p.html)) for p in read],
    )
