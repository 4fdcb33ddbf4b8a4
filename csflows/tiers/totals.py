"""Net purchases per customer over a window: one GROUP BY in the store, exact to the cent."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import BigInteger, Connection, Table, case, cast, func, select

from csflows.store.tables import OrderRow

ORDERS: Table = OrderRow.__table__  # type: ignore[assignment]


@dataclass(frozen=True, slots=True)
class Purchases:
    trailing_cents: int  # net: refunds are negative orders
    first_order: date | None  # the customer's first counted order up to the window's end
    orders: int = 0  # counted orders (not refunds) up to the window's end, ever


def trailing_totals(
    conn: Connection,
    first: date,
    last: date,
    statuses: Sequence[str],
    customer_range: tuple[str, str] | None = None,
    orders: Table = ORDERS,
) -> dict[str, Purchases]:
    """Every customer with counted orders up to `last` (in `customer_range`, inclusive, if given).

    `orders` is the store's table, or any with its columns (an import's staging table)."""
    o = orders.c
    amount_cents = cast(func.round(o.amount * 100), BigInteger)
    query = (
        select(
            o.customer_id,
            func.coalesce(func.sum(case((o.order_date >= first, amount_cents), else_=0)), 0),
            func.min(o.order_date),
            func.sum(case((o.amount > 0, 1), else_=0)),
        )
        .where(o.order_date <= last, o.status.in_(list(statuses)))
        .group_by(o.customer_id)
    )
    if customer_range is not None:
        query = query.where(o.customer_id.between(*customer_range))
    return {
        customer_id: Purchases(int(total), first_order, int(count or 0))
        for customer_id, total, first_order, count in conn.execute(query)
    }
