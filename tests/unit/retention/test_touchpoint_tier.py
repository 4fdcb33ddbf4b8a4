"""Seed 003 on touchpoints: `csflows touchpoint list` shows each customer's service tier."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from typer.testing import CliRunner

from cli import app
from csflows import store
from csflows.store.tables import CustomerRow, TouchpointRow


def test_the_touchpoint_list_shows_each_customers_tier(store_ready: Path) -> None:
    with store.session() as s:
        for cid, tier in (("C-1", "extra_special"), ("C-2", None)):
            s.add(CustomerRow(id=cid, name=cid, email=f"{cid}@shop.example", division="sulyn",
                              level=2, tier=tier))  # fmt: skip
            s.add(TouchpointRow(customer_id=cid, step="first_call", kind="call",
                                due=date(2026, 12, 1)))  # fmt: skip
    listed = CliRunner().invoke(app, ["touchpoint", "list", "--json"])
    assert listed.exit_code == 0, listed.output
    rows = {r["customer_id"]: r["tier"] for r in json.loads(listed.stdout)}
    assert rows == {"C-1": "Extra special service", "C-2": "Standard service"}
    text = CliRunner().invoke(app, ["touchpoint", "list"]).output
    assert "first_call  (Extra special service)" in text
