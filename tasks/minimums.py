"""The order-minimums criterion: the division's minimums against the stated amounts."""

from __future__ import annotations

from prefect import task

from csflows.models import CheckResult, NewCustomerInquiry
from csflows.rules.minimums import minimums_verdict
from tasks.products import division_of


@task(name="check-minimums")
def check_minimums(form: NewCustomerInquiry) -> CheckResult:
    return minimums_verdict(form, division_of(form))
