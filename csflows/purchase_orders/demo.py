"""Sample purchase orders for `csflows demo`: one run of `handle-purchase-order` per branch."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

DEPLOYMENT = "handle-purchase-order/handle-purchase-order"


def start_sample_runs(folder: Path, deployment: str = DEPLOYMENT) -> Iterator[str]:
    """Start a run for each `purchase_orders/*.json` (needs the deployment served)."""
    from prefect.deployments import run_deployment

    for file in sorted((folder / "purchase_orders").glob("*.json")):
        message = json.loads(file.read_text(encoding="utf-8"))
        try:
            run = run_deployment(deployment, parameters={"message": message}, timeout=0)
        except Exception as exc:  # the deployment is not served, or no server: say so, go on
            yield f"purchase order {file.name}: not started ({exc.__class__.__name__}: {exc})"
            return
        yield f"purchase order {file.name}: started run {getattr(run, 'name', run)}"
