"""The purchase-order rows on the store in use (SQLite, or PostgreSQL with CSFLOWS_TEST_STORE):
racing runs share one action, order and ticket; senders are found by address in any case."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from csflows import customers, store
from csflows.models import Customer
from csflows.models.purchase_order import (
    PoAction,
    PoDecision,
    PoEmail,
    PoReading,
    Sender,
    SenderKind,
)
from csflows.purchase_orders.records import claim, record_order, store_inbound
from csflows.purchase_orders.senders import identify_sender
from csflows.store.tables import OrderRow, PoActionRow, TicketRow

pytestmark = pytest.mark.integration


def test_racing_runs_share_one_row_each(store_ready: Path) -> None:
    sender = Sender(
        kind=SenderKind.CUSTOMER, email="a@b.example", customer_id="C-1", division="wyla", level=2
    )
    reading = PoReading(po_number="77", total=Decimal("10.00"))
    decision = PoDecision(action=PoAction.ACCEPT, reason="r")
    with ThreadPoolExecutor(8) as pool:
        claims = list(pool.map(lambda i: claim(sender, reading, decision, ticket_id=i), range(8)))
        orders = list(
            pool.map(lambda _: record_order("C-1", "77", Decimal("10"), date(2026, 1, 2)), range(8))
        )
        tickets = list(
            pool.map(lambda _: store_inbound("<m@x>", b"raw", "a@b.example", "s", "po"), range(8))
        )
    assert len({c.id for c in claims}) == len(set(orders)) == len(set(tickets)) == 1
    with store.session() as s:
        for table in (PoActionRow, OrderRow, TicketRow):
            assert s.scalar(select(func.count()).select_from(table)) == 1


def test_sender_by_address_in_any_case_and_by_domain(store_ready: Path) -> None:
    customers.save(
        [Customer(id="C-9", name="Shop", email="Orders@Shop.example", division="cop", level=4)]
    )
    by_email = identify_sender(PoEmail(sender="ORDERS@shop.EXAMPLE"), "", [])
    by_domain = identify_sender(PoEmail(sender="jane@shop.example"), "", [])
    assert (by_email.customer_id, by_email.matched_by) == ("C-9", "email")
    assert (by_domain.customer_id, by_domain.matched_by) == ("C-9", "domain")
