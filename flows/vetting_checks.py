"""The automated part of new-customer vetting (seed 001): is the form complete, then the five
criteria a supervisor reviews (checked at once), then a recommendation for the supervisor.

`assess` runs the check tasks inside whatever flow run calls it (vet-new-customer's own, so an
operator sees the checks on the vetting's page); `assess_inquiry` is the same as a flow run of
its own, for `csflows vet --no-gate`."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from prefect import flow
from prefect.context import SettingsContext, get_settings_context
from prefect.futures import PrefectFuture
from prefect.utilities.annotations import allow_failure

from csflows.models import Assessment, CheckResult, MissingField, NewCustomerInquiry
from csflows.vetting.criteria.errored import errored_check
from csflows.vetting.criteria.recommendation import recommend
from tasks.address import check_address
from tasks.amazon import check_amazon
from tasks.form import check_completeness
from tasks.minimums import check_minimums
from tasks.products import check_products, division_of
from tasks.run_labels import label_current_run
from tasks.website import check_website, fetch_website, lookup_domain_registration


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


@flow(name="assess-inquiry", log_prints=False, persist_result=False)
def assess_inquiry(
    form: NewCustomerInquiry, form_problems: list[MissingField] | None = None
) -> Assessment:
    """Complete form? then amazon, address, website, products and minimums concurrently. The
    assessment goes back to the caller (nothing reads it from Prefect's result storage)."""
    label_current_run(f"assess-{(form.business_name or 'inquiry')[:60]}", _division_tags(form))
    return assess(form, form_problems)


def run_assess_inquiry(
    form: NewCustomerInquiry, form_problems: list[MissingField] | None = None
) -> Assessment:
    """An assess-inquiry run for a caller that waits on it (`csflows vet --no-gate`)."""
    with without_heartbeat():
        return assess_inquiry(form, form_problems)


@contextmanager
def without_heartbeat() -> Iterator[None]:
    """Flow runs started inside send no heartbeats. The heartbeat thread sleeps in 1 s steps and
    a run's end waits for it (0-1 s); a run of seconds gains nothing from a beat every 3 minutes
    (beats tell a crashed long run from a live one). Only this context: other runs keep theirs."""
    current = get_settings_context()
    flows = current.settings.flows.model_copy(update={"heartbeat_frequency": None})
    quiet = current.settings.model_copy(update={"flows": flows})  # no re-read of env and profiles
    with SettingsContext(profile=current.profile, settings=quiet):
        yield


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
    """The five criteria at once; one fetch of the site feeds both website and amazon."""
    page = fetch_website.submit(form.website or "")
    registration = lookup_domain_registration.submit(form.website or "")
    return {
        "amazon": check_amazon.submit(form, _tolerate(page)),
        "address": check_address.submit(form),
        "website": check_website.submit(form, _tolerate(page), _tolerate(registration)),
        "products": check_products.submit(form),
        "minimums": check_minimums.submit(form),
    }


def _division_tags(form: NewCustomerInquiry) -> list[str]:
    division = division_of(form)
    return [f"division:{division.key}"] if division else []
