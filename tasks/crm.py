"""The customer record as Prefect tasks: the store, and NetSuite when one is configured."""

from __future__ import annotations

from decimal import Decimal

from prefect import task

from csflows import netsuite
from csflows.models import Customer
from csflows.vetting import onboarding
from tasks.retry import TRANSIENT_RETRIES


@task(name="save-customer", task_run_name="save customer for inquiry {inquiry_id}")
def save_customer_task(
    inquiry_id: int, customer: Customer, po_number: str, amount: Decimal
) -> Customer:
    """Once per inquiry: a re-run finds the customer it saved."""
    saved, _created = onboarding.save_new_customer(inquiry_id, customer, po_number, amount)
    return saved


@task(
    name="netsuite-customer", task_run_name="netsuite customer {customer.id}", **TRANSIENT_RETRIES
)
def netsuite_customer_task(inquiry_id: int, customer: Customer) -> str | None:
    """Upsert the customer in NetSuite (by external id) unless it already has its NetSuite id."""
    from blocks import NetSuiteCredentials, resolve

    credentials = resolve(NetSuiteCredentials)
    if not credentials.configured:
        return None
    known = onboarding.netsuite_id(customer.id)
    if known:
        return known
    internal_id = netsuite.upsert_customer(
        credentials, customer, onboarding.external_id(inquiry_id)
    )
    onboarding.set_netsuite_id(customer.id, internal_id)
    return internal_id
