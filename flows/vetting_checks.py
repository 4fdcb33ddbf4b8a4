"""The automated part of new-customer vetting (seed 001): is the form complete, then the five
criteria a supervisor reviews (checked at once), then a recommendation for the supervisor."""

from __future__ import annotations

from typing import Any

from prefect import flow
from prefect.futures import PrefectFuture
from prefect.utilities.annotations import allow_failure

from csflows.models import Assessment, CheckResult, MissingField, NewCustomerInquiry
from csflows.rules.errors import errored_check
from csflows.rules.recommendation import recommend
from tasks.address import check_address
from tasks.amazon import check_amazon
from tasks.form import check_completeness
from tasks.minimums import check_minimums
from tasks.products import check_products
from tasks.website import check_website, fetch_website, lookup_domain_registration


def _tolerate(future: PrefectFuture[Any]) -> Any:
    """Pass an upstream's exception to the check instead of skipping it (allow_failure)."""
    return allow_failure(future)


def _outcome(criterion: str, future: PrefectFuture[Any]) -> CheckResult:
    """The check's result, or review with the error when the check failed after its retries."""
    state = future.wait() or future.state
    if state.is_completed():
        return future.result()
    try:
        future.result(raise_on_failure=True)
    except BaseException as exc:  # the task's exception: API error, timeout, bug
        return errored_check(criterion, exc)
    return errored_check(criterion, f"ended {state.name}")


def _vetting_run_name() -> str:
    from prefect.runtime import flow_run

    form = flow_run.parameters.get("form") or {}
    name = (
        form.get("business_name")
        if isinstance(form, dict)
        else getattr(form, "business_name", None)
    )
    return f"assess-{(name or 'inquiry')[:60]}"


@flow(name="assess-inquiry", flow_run_name=_vetting_run_name, log_prints=False)
def assess_inquiry(
    form: NewCustomerInquiry, form_problems: list[MissingField] | None = None
) -> Assessment:
    """Complete form? then amazon, address, website, products and minimums concurrently."""
    missing = check_completeness(form, form_problems)
    if missing:
        return Assessment(recommendation=recommend(missing, {}), missing_fields=missing)

    page = fetch_website.submit(form.website or "")
    registration = lookup_domain_registration.submit(form.website or "")
    futures = {
        "amazon": check_amazon.submit(form, _tolerate(page)),
        "address": check_address.submit(form),
        "website": check_website.submit(form, _tolerate(page), _tolerate(registration)),
        "products": check_products.submit(form),
        "minimums": check_minimums.submit(form),
    }
    criteria = {name: _outcome(name, future) for name, future in futures.items()}
    return Assessment(recommendation=recommend([], criteria), criteria=criteria)
