"""Customers and messages for the purchase-order tests: one per branch of seed 000."""

from __future__ import annotations

import base64
from typing import Any

from csflows import customers
from csflows.models import Customer

CUSTOMERS = [
    Customer(
        id="C-1003",
        name="Lakeview Scrap Shop",
        email="shop@lakeviewscrap.example",
        division="craft_hobby",
        level=4,
    ),
    Customer(
        id="C-1004",
        name="Sunny Pools & Spas",
        email="buy@sunnypools.example",
        division="floating_luxuries",
        level=4,
    ),
    Customer(
        id="C-1001",
        name="Paper Garden Crafts",
        email="orders@papergarden.example",
        division="craft_hobby",
        level=2,
    ),
    Customer(id="C-1005", name="Desk Depot", email="po@deskdepot.example", division="cop", level=4),
    Customer(
        id="C-1006",
        name="Mercury Gifts",
        email="po@mercurygifts.example",
        division="mercury_seward",
        level=4,
    ),
    Customer(
        id="C-1007", name="Glitter Barn", email="po@glitterbarn.example", division="sulyn", level=4
    ),
]


def seed_customers() -> None:
    customers.save(CUSTOMERS)


def po_message(
    sender: str, body: str, subject: str = "Purchase order", **pdfs: bytes
) -> dict[str, Any]:
    """The flow's `message` parameter; `pdfs` maps file names to PDF bytes."""
    return {
        "from": sender,
        "subject": subject,
        "body": body,
        "attachments": [
            {
                "filename": name.replace("_", "-") + ".pdf",
                "content_type": "application/pdf",
                "content_base64": base64.b64encode(content).decode(),
            }
            for name, content in pdfs.items()
        ],
    }
