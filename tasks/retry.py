"""Retry policy for tasks that call the outside world: transient faults only, never on 4xx."""

from __future__ import annotations

from typing import Any

from prefect.client.schemas.objects import State

from csflows.errors import is_transient

RETRY_DELAYS = [2, 10, 30, 60]  # seconds; Prefect adds jitter (retry_jitter_factor)


def retry_on_transient(_task: Any, _task_run: Any, state: State) -> bool:
    """Prefect's retry_condition_fn: retry what `csflows.errors.is_transient` calls transient."""
    try:
        state.result()
    except Exception as exc:  # the task's own exception, re-raised by result()
        return is_transient(exc)
    return False


TRANSIENT_RETRIES: dict[str, Any] = {
    "retries": len(RETRY_DELAYS),
    "retry_delay_seconds": RETRY_DELAYS,
    "retry_jitter_factor": 0.5,
    "retry_condition_fn": retry_on_transient,
}
