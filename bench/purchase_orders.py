"""Purchase-order costs per PO: reading a PDF, and finding the sender among many customers.

    PYTHONPATH=. python bench/purchase_orders.py [--customers 100000] [--repeat 50]

Baselines are measured in the same run: reading a PO from a plain body, and finding a customer
by exact email (an indexed lookup). Every other figure is printed as a ratio to its baseline.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def _per_call(fn: Callable[[], object], repeat: int) -> float:
    start = time.perf_counter()
    for _ in range(repeat):
        fn()
    return (time.perf_counter() - start) / repeat


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()
    os.environ["CSFLOWS_HOME"] = tempfile.mkdtemp(prefix="bench-po-")

    from sqlalchemy import insert

    from csflows import store
    from csflows.models.purchase_order import PoAttachment, PoEmail
    from csflows.purchase_orders.reading import read_purchase_order
    from csflows.purchase_orders.senders import identify_sender
    from csflows.store.tables import CustomerRow
    from tests.support.po_pdfs import LINES, po_pdf

    store.upgrade()
    with store.session() as s:
        s.execute(
            insert(CustomerRow),
            [
                {
                    "id": f"C-{i}",
                    "name": f"Shop {i}",
                    "email": f"orders@shop{i}.example",
                    "division": "craft_hobby",
                    "level": 1 + i % 4,
                }
                for i in range(args.customers)
            ],
        )
    last = args.customers - 1
    body = PoEmail(
        sender="a@b.example",
        subject="PO 1",
        body="\n".join(
            f"{sku}  {desc}  {qty}  {unit}  {amount}" for sku, desc, qty, unit, amount in LINES
        )
        + "\nTotal: $375.00",
    )
    pdf = PoEmail(
        sender="a@b.example",
        subject="PO",
        attachments=[
            PoAttachment(
                filename="po.pdf", content_type="application/pdf", content=po_pdf(lines=LINES * 10)
            )
        ],
    )
    reading = {
        "read PO from body (baseline)": lambda: read_purchase_order(body),
        "read PO from a 20-line PDF": lambda: read_purchase_order(pdf),
    }
    senders = {
        "sender by email (baseline)": (f"orders@shop{last}.example", ""),
        "sender by domain": (f"jane@shop{last}.example", ""),
        "sender by account number": ("ap@elsewhere.example", f"Account #: C-{last}"),
        "unknown sender": ("who@nowhere.example", ""),
    }
    print(f"{args.customers:,} customers, {args.repeat} calls each")
    for group in (
        {k: v for k, v in reading.items()},
        {
            k: (lambda a=a, t=t: identify_sender(PoEmail(sender=a), t, []))
            for k, (a, t) in senders.items()
        },
    ):
        times = {name: _per_call(fn, args.repeat) for name, fn in group.items()}
        baseline = next(iter(times.values()))
        for name, seconds in times.items():
            print(f"  {name:<32} {seconds * 1000:8.2f} ms/PO   x{seconds / baseline:6.1f}")


if __name__ == "__main__":
    main()
