"""Operations policy (`config/operations.yaml`): the on-call address and when a run counts as
lost; and the waits the automations use, which tests may shorten through the environment."""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from pathlib import Path

from pydantic import EmailStr, Field

from csflows import config
from csflows.models.common import Model
from csflows.vetting.policy import approval_policy

STUCK_APPROVAL_SECONDS = "CSFLOWS_STUCK_APPROVAL_SECONDS"  # overrides the reminder time
HEARTBEAT_SILENCE_SECONDS = "CSFLOWS_HEARTBEAT_SILENCE_SECONDS"  # overrides the minutes below
PENDING_SILENCE_SECONDS = "CSFLOWS_PENDING_SILENCE_SECONDS"  # overrides the minutes below


class OperationsPolicy(Model):
    """Who hears about outages, how long a Running run may stay silent, how long a run a worker
    took may wait to start before it is looked at, and how far apart in time requests admitted
    under an API's quota may reach the provider (tasks/quotas.py)."""

    on_call_email: EmailStr
    heartbeat_silence_minutes: float = Field(10, gt=0)
    pending_silence_minutes: float = Field(5, gt=0)
    pending_looks: int = Field(6, ge=1)
    quota_spread_seconds: float = Field(0.2, ge=0)


def operations_policy(path: Path | None = None) -> OperationsPolicy:
    return config.load("operations", OperationsPolicy, path)


def _seconds_from_env(name: str) -> timedelta | None:
    raw = os.environ.get(name, "").strip()
    return timedelta(seconds=float(raw)) if raw else None


def stuck_approval_after() -> timedelta:
    """The approval gate's reminder time (config/approval.yaml), as calendar days of 24 h:
    a Prefect trigger counts wall-clock time and knows no business days or holidays."""
    days = approval_policy().reminder_after_business_days
    return _seconds_from_env(STUCK_APPROVAL_SECONDS) or timedelta(days=days)


def heartbeat_silence() -> timedelta:
    minutes = operations_policy().heartbeat_silence_minutes
    return _seconds_from_env(HEARTBEAT_SILENCE_SECONDS) or timedelta(minutes=minutes)


def pending_silence() -> timedelta:
    """How long a run may stay Pending (taken by a worker, not started) before check-silent-run
    looks whether its worker is still there."""
    minutes = operations_policy().pending_silence_minutes
    return _seconds_from_env(PENDING_SILENCE_SECONDS) or timedelta(minutes=minutes)


def pending_looks() -> int:
    """How many times check-silent-run looks at a run still Pending on an online worker (one
    look every `pending_silence`) before it puts the run back in the queue all the same."""
    return operations_policy().pending_looks


def why_requeue(
    worker: str | None, online: set[str], restarted: datetime | None, looks: int
) -> str | None:
    """Why a run still Pending (taken, not started) goes back to the queue, or None when the
    worker that took it may still start it (look again later). A worker that restarted since it
    took the run never starts it: a worker starts only what it takes while it runs."""
    name = worker or "(unnamed)"
    if restarted is not None:
        return (
            f"Taken by worker {name}, which restarted at {restarted:%Y-%m-%d %H:%M:%S} UTC"
            " before starting it (a restarted worker never starts what it took before)"
        )
    if worker_lost(worker, online):
        return f"Taken by worker {name}, which went offline before starting it"
    if looks >= pending_looks():
        waited = pending_silence().total_seconds() * looks / 60
        return f"Taken by worker {name}, online but not starting it for {waited:g} minutes"
    return None


def worker_lost(worker: str | None, online: set[str]) -> bool:
    """Whether the worker that took a Pending run (its `prefect.worker.name` label; None when it
    died before labelling the run) is gone: not among the pool's online workers, which Prefect
    counts as offline three missed heartbeats after the last."""
    return worker is None or worker not in online
