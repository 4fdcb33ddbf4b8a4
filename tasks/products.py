"""The products criterion: the applicant's product lines against the division's catalog."""

from __future__ import annotations

from prefect import task

from csflows.models import CheckResult, Division, NewCustomerInquiry
from csflows.policy import divisions
from csflows.vetting.criteria.products import products_verdict
from csflows.vetting.policy import vetting_policy
from tasks.checks import IN_MEMORY


def division_of(form: NewCustomerInquiry) -> Division | None:
    try:
        return divisions().get(form.division or "")
    except KeyError:
        return None


@task(name="check-products", **IN_MEMORY)
def check_products(form: NewCustomerInquiry) -> CheckResult:
    return products_verdict(
        form,
        division_of(form),
        vetting_policy().products.match_score,
        others=divisions().divisions,
    )
