"""The order-minimums criterion: the division's minimums against the stated amounts."""

from __future__ import annotations

from prefect import task

from csflows.models import CheckResult, NewCustomerInquiry
from csflows.vetting.criteria.minimums import minimums_verdict
from tasks.checks import IN_MEMORY
from tasks.products import division_of


@task(name="check-minimums", **IN_MEMORY)
def check_minimums(form: NewCustomerInquiry) -> CheckResult:
    return minimums_verdict(form, division_of(form))
