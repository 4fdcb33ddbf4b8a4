"""Options shared by the vetting check tasks: results in memory only, and a retry policy for
transient faults only, and few (the API clients already retry inside one attempt; a vetting
should not wait minutes for a verdict)."""

from __future__ import annotations

from typing import Any

from prefect.cache_policies import NO_CACHE

from tasks.retry import TRANSIENT_RETRIES

IN_MEMORY: dict[str, Any] = {"persist_result": False, "cache_policy": NO_CACHE}
"""No input hashing and no result files: the caller keeps the assessment in the store (per
round, so a resumed vetting reads it back) and lookups are cached there, not by Prefect."""

CHECK_RETRIES: dict[str, Any] = {
    **IN_MEMORY,
    **TRANSIENT_RETRIES,
    "retries": 2,
    "retry_delay_seconds": [2, 10],
}
