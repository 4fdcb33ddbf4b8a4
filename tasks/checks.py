"""Retry policy shared by the vetting check tasks: transient faults only, and few (the API
clients already retry inside one attempt; a vetting should not wait minutes for a verdict)."""

from __future__ import annotations

from typing import Any

from tasks.retry import TRANSIENT_RETRIES

CHECK_RETRIES: dict[str, Any] = {**TRANSIENT_RETRIES, "retries": 2, "retry_delay_seconds": [2, 10]}
