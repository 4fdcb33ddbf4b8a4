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
