"""The completeness check of the New Customer Inquiry Form as a task."""

from __future__ import annotations

from prefect import task

from csflows.models import MissingField, NewCustomerInquiry
from csflows.vetting.criteria.completeness import missing_fields
from tasks.checks import IN_MEMORY


@task(name="check-completeness", **IN_MEMORY)
def check_completeness(
    form: NewCustomerInquiry, unreadable: list[MissingField] | None = None
) -> list[MissingField]:
    """Every missing or invalid field at once (no external calls)."""
    return missing_fields(form, unreadable or ())
