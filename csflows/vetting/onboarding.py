"""Seed 001's last step: the customer record, only after approval and the first PO."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import select

from csflows import store
from csflows.calendar import business_calendar
from csflows.divisions import divisions
from csflows.models import Customer, CustomerStatus, NewCustomerInquiry
from csflows.people import people
from csflows.store.tables import CustomerRow, OrderRow
from csflows.vetting.policy import ApprovalPolicy
from csflows.vetting.timezones import zone_for_region


def customer_id(inquiry_id: int, rules: ApprovalPolicy) -> str:
    return f"{rules.customer_id_prefix}{inquiry_id:05d}"


def external_id(inquiry_id: int) -> str:
    """The id NetSuite knows the customer by (upsert key): stable for the inquiry."""
    return f"csflows-inquiry-{inquiry_id}"


def new_customer(
    inquiry_id: int,
    form: NewCustomerInquiry,
    rules: ApprovalPolicy,
    sales_agent: str = "",
    timezone: str | None = None,
) -> Customer:
    """The customer an approved inquiry becomes, with its sales agent and its time zone (looked
    up for the address, else the state's or province's), so retention goes to a person in the
    customer's business hours."""
    return Customer(
        id=customer_id(inquiry_id, rules),
        name=form.business_name or form.dba or f"inquiry {inquiry_id}",
        email=form.email or "",
        phone=form.phone or "",
        division=divisions().get(form.division or "").key,
        level=rules.new_customer_level,
        address=form.address.one_line(),
        sales_agent=sales_agent,
        timezone=timezone or zone_for_region(form.address.region, business_calendar().timezone),
    )


def next_sales_agent(division: str | None) -> str:
    """The division's next agent in rotation: each new customer to the agent after the one who
    got the division's previous customer won through vetting."""
    agents = [a.name for a in people().agents_for(division)]
    with store.session() as s:
        last = s.scalar(
            select(CustomerRow.sales_agent)
            .where(CustomerRow.inquiry_id.is_not(None), CustomerRow.division == division)
            .order_by(CustomerRow.created_at.desc(), CustomerRow.id.desc())
            .limit(1)
        )
    if last not in agents:
        return agents[0]
    return agents[(agents.index(last) + 1) % len(agents)]


def save_new_customer(
    inquiry_id: int, customer: Customer, po_number: str, amount: Decimal
) -> tuple[Customer, bool]:
    """Store the customer (status ready for retention) and the first PO as its first order, once."""
    with store.session() as s:
        row = s.scalar(select(CustomerRow).where(CustomerRow.inquiry_id == inquiry_id))
        created = row is None
        if row is None:
            row = CustomerRow(
                **customer.model_dump(),
                status=CustomerStatus.READY_FOR_RETENTION,
                inquiry_id=inquiry_id,
            )
            s.add(row)
        existing_order = s.scalar(
            select(OrderRow).where(OrderRow.customer_id == row.id, OrderRow.po_number == po_number)
        )
        if existing_order is None:
            s.add(
                OrderRow(
                    customer_id=row.id,
                    po_number=po_number,
                    order_date=datetime.now(UTC).date(),
                    amount=amount,
                    source="first_po",
                )
            )
        return customer.model_copy(update={"id": row.id}), created


def netsuite_id(customer_id_: str) -> str | None:
    with store.session() as s:
        row = s.get(CustomerRow, customer_id_)
        return row.netsuite_id if row else None


def set_netsuite_id(customer_id_: str, value: str) -> None:
    with store.session() as s:
        row = s.get(CustomerRow, customer_id_)
        if row is not None:
            row.netsuite_id = value
