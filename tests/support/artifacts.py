"""Reading what a flow showed the operator: the newest artifact under a key, over the API."""

from __future__ import annotations

from typing import Any

import httpx
from prefect.settings import PREFECT_API_URL


def latest_artifact(key: str) -> Any:
    """The data of the newest artifact under `key` (POST /artifacts/filter)."""
    body = {"artifacts": {"key": {"any_": [key]}}, "sort": "CREATED_DESC", "limit": 1, "offset": 0}
    reply = httpx.post(f"{PREFECT_API_URL.value()}/artifacts/filter", json=body, timeout=30)
    reply.raise_for_status()
    [artifact] = reply.json()
    return artifact["data"]


def artifacts_of_run(flow_run_id: str) -> list[dict[str, Any]]:
    """Every artifact on the flow run (POST /artifacts/filter), newest first."""
    body = {
        "artifacts": {"flow_run_id": {"any_": [flow_run_id]}},
        "sort": "CREATED_DESC",
        "limit": 50,
        "offset": 0,
    }
    reply = httpx.post(f"{PREFECT_API_URL.value()}/artifacts/filter", json=body, timeout=30)
    reply.raise_for_status()
    return list(reply.json())
