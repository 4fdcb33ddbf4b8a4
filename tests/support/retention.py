"""Customers in the store for retention tests, inserted in bulk."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import insert

from csflows import store
from csflows.store.tables import CustomerRow
from tests.support.servers import HttpServer
from tests.support.twilio import FakeTwilio


def add_customers(
    count: int,
    status: str = "ready_for_retention",
    timezone: str = "America/Chicago",
    sales_agent: str = "Dana Ruiz",
    prefix: str = "C",
    first: int = 1,
) -> list[str]:
    """`count` customers C-00001... with distinct phone numbers and mailboxes."""
    rows = [
        {
            "id": f"{prefix}-{n:05d}",
            "name": f"Shop {prefix}{n}",
            "email": f"buyer{n}@{prefix.lower()}.shop.example",
            "phone": f"+1 312 555 {n % 10000:04d}",
            "division": "craft_hobby",
            "level": 2,
            "sales_agent": sales_agent,
            "address": f"{n} Main St, Chicago, IL 60601",
            "timezone": timezone,
            "status": status,
        }
        for n in range(first, first + count)
    ]
    with store.session() as s:
        s.execute(insert(CustomerRow), rows)
    return [r["id"] for r in rows]


def e164_of(n: int) -> str:
    return f"+1312555{n % 10000:04d}"


@pytest.fixture(name="twilio")
def twilio_fixture(
    http_server: HttpServer, monkeypatch: pytest.MonkeyPatch
) -> Iterator[FakeTwilio]:
    fake = FakeTwilio(http_server).install()
    for key, value in fake.env().items():
        monkeypatch.setenv(key, value)
    yield fake
