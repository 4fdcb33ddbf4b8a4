"""Sample data for a first look: customers from config/demo, and runs of the served flows."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from csflows import customers, orders
from csflows.paths import config_dir
from csflows.purchase_orders import demo as purchase_orders_demo


def run(folder: Path | None = None) -> Iterator[str]:
    """Load the demo customers; each procedure adds its sample runs here."""
    folder = folder or config_dir() / "demo"
    count = customers.import_csv(folder / "customers.csv")
    yield f"loaded {count} demo customers from {folder / 'customers.csv'}"
    if (folder / "orders.csv").exists():
        count = orders.import_csv(folder / "orders.csv")
        yield f"loaded {count} demo orders from {folder / 'orders.csv'} (tiers: recompute-tiers)"
    yield from purchase_orders_demo.start_sample_runs(folder)
    yield from start_sample_inquiries(folder)


def start_sample_inquiries(folder: Path) -> Iterator[str]:
    """Submit each `inquiries/*.json` to vet-new-customer, so the approval gate shows in the UI."""
    from csflows.vetting.gates import submit

    for file in sorted((folder / "inquiries").glob("*.json")):
        try:
            _run_id, link = submit(json.loads(file.read_text(encoding="utf-8")), source="demo")
        except Exception as exc:  # the deployment is not served, or no server: say so, go on
            yield f"inquiry {file.name}: not started ({exc.__class__.__name__}: {exc})"
            return
        yield f"inquiry {file.name}: vetting started, {link}"
