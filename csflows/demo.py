"""Sample data for a first look: customers from config/demo, and runs of the served flows."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from csflows import customers, orders
from csflows.paths import config_dir


def run(folder: Path | None = None) -> Iterator[str]:
    """Load the demo customers; each procedure adds its sample runs here."""
    folder = folder or config_dir() / "demo"
    count = customers.import_csv(folder / "customers.csv")
    yield f"loaded {count} demo customers from {folder / 'customers.csv'}"
    if (folder / "orders.csv").exists():
        count = orders.import_csv(folder / "orders.csv")
        yield f"loaded {count} demo orders from {folder / 'orders.csv'} (tiers: recompute-tiers)"
