"""The automated part of new-customer vetting (seed 001) as task runs of the calling flow run:
is the form complete, then the five criteria a supervisor reviews (submitted at once), then a
recommendation for the supervisor. The calling flow run is vet-new-customer's own (an operator
sees the checks on the vetting's page) or assess-inquiry's (`csflows vet --no-gate`)."""

from __future__ import annotations

from typing import Any

from prefect.futures import PrefectFuture
from prefect.utilities.annotations import allow_failure

from csflows.models import Assessment, CheckResult, MissingField, NewCustomerInquiry
from csflows.vetting.criteria.errored import errored_check
from csflows.vetting.criteria.recommendation import recommend
from tasks.address import check_address
from tasks.amazon import check_amazon
from tasks.form import check_completeness
from tasks.minimums import check_minimums
from tasks.products import check_products
from tasks.website import (
    check_website,
    fetch_linked_pages,
    fetch_website,
    lookup_domain_registration,
)


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
    the pages linked from it that say where the business sells feed amazon too."""
    page = fetch_website.submit(form.website or "")
    linked = fetch_linked_pages.submit(_tolerate(page))
    registration = lookup_domain_registration.submit(form.website or "")
    return {
        "amazon": check_amazon.submit(form, _tolerate(page), _tolerate(linked)),
        "address": check_address.submit(form),
        "website": check_website.submit(form, _tolerate(page), _tolerate(registration)),
        "products": check_products.submit(form),
        "minimums": check_minimums.submit(form),
    }
