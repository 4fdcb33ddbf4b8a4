"""Customer records: import from the CRM's export, list, and save (seed 001's last step)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from sqlalchemy import select

from csflows import store
from csflows.csvfile import read_rows
from csflows.divisions import divisions
from csflows.errors import CsvImportError, DivisionNotFound
from csflows.models import Customer, CustomerStatus
from csflows.store.tables import CustomerRow

CSV_HEADER = [
    "id",
    "name",
    "email",
    "phone",
    "division",
    "level",
    "sales_agent",
    "address",
    "timezone",
]


def _known_division(customer: Customer) -> str | None:
    try:
        customer.division = divisions().get(customer.division).key
    except DivisionNotFound as exc:
        return f"division: {exc}"
    return None


def read_csv(path: Path) -> list[Customer]:
    """The customers in a CRM export, or CsvImportError listing every bad row."""
    customers = read_rows(path, Customer, CSV_HEADER, check=_known_division)
    seen: dict[str, int] = {}
    problems = []
    for number, customer in enumerate(customers, start=2):
        if customer.id in seen:
            problems.append(f"row {number}: id: {customer.id!r} repeats row {seen[customer.id]}")
        seen[customer.id] = number
    if problems:
        raise CsvImportError(path, problems)
    return customers


def save(customers: Iterable[Customer], status: CustomerStatus = CustomerStatus.ACTIVE) -> int:
    """Insert or update customers by id, in one transaction."""
    count = 0
    with store.session() as s:
        for customer in customers:
            row = s.get(CustomerRow, customer.id) or CustomerRow(id=customer.id, status=status)
            for field, value in customer.model_dump().items():
                setattr(row, field, value)
            s.add(row)
            count += 1
    return count


def import_csv(path: Path) -> int:
    """Import a CRM export: every row or none."""
    return save(read_csv(path))


def to_model(row: CustomerRow) -> Customer:
    return Customer.model_validate({f: getattr(row, f) for f in Customer.model_fields})


def list_customers(division: str | None = None) -> list[dict[str, object]]:
    """Customers as JSON-ready dicts, with their status, ordered by id."""
    query = select(CustomerRow).order_by(CustomerRow.id)
    if division:
        query = query.where(CustomerRow.division == divisions().get(division).key)
    with store.session() as s:
        rows = s.scalars(query).all()
        return [to_model(r).model_dump(mode="json") | {"status": r.status} for r in rows]
