"""A flow's own code with its tasks as plain calls in this process, for a command run where no
Prefect server is configured: Prefect would start a temporary one first (15 s to minutes).

Only for flows that need nothing of the server (no run to name, suspend, or leave an artifact
on): `csflows po --dry-run` and `csflows vet --no-gate`. The tasks keep their retries (same
delays and condition, no jitter); `.submit()` runs them on threads, an upstream future in the
arguments (also under `allow_failure`) is resolved as Prefect's task runner would.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from contextvars import copy_context
from typing import Any, TypeVar

from prefect import Flow, Task
from prefect.futures import PrefectConcurrentFuture, PrefectFuture
from prefect.states import Completed, Failed, State
from prefect.utilities.annotations import allow_failure

from tasks.deployment_runs import prefect_server_configured

R = TypeVar("R")


def call_flow(flow: Flow[..., R], *args: Any, **kwargs: Any) -> R:
    """`flow` as a run on the configured Prefect server; with none configured, its function with
    its tasks in this process (for a flow that needs nothing of a server)."""
    if prefect_server_configured():
        return flow(*args, **kwargs)  # type: ignore[return-value]
    with tasks_in_process():
        return flow.fn(*args, **kwargs)


@contextmanager
def tasks_in_process(workers: int = 16) -> Iterator[None]:
    """Inside, calling a task runs its function here, and `.submit()` runs it on a thread;
    nothing asks the Prefect API. The first caller's threads only: not for a served process."""
    call, submit = Task.__call__, Task.submit
    with ThreadPoolExecutor(workers, thread_name_prefix="task") as pool:

        def called(task: Task[Any, Any], *args: Any, **kwargs: Any) -> Any:
            return run_in_process(task, args, kwargs)

        def submitted(task: Task[Any, Any], *args: Any, **kwargs: Any) -> PrefectFuture[Any]:
            def state() -> State:
                try:
                    return Completed(data=run_in_process(task, args, kwargs))
                except Exception as exc:  # noqa: BLE001 - the future carries it, as Prefect's
                    return Failed(data=exc, message=f"{type(exc).__name__}: {exc}")

            return PrefectConcurrentFuture(uuid.uuid4(), pool.submit(copy_context().run, state))

        Task.__call__, Task.submit = called, submitted  # type: ignore[method-assign,assignment]
        try:
            yield
        finally:
            Task.__call__, Task.submit = call, submit  # type: ignore[method-assign,assignment]


def run_in_process(task: Task[Any, Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """The task's function on resolved arguments, retried as its retry settings say."""
    args = tuple(_resolved(a) for a in args)
    kwargs = {k: _resolved(v) for k, v in kwargs.items()}
    delays = _retry_delays(task)
    for attempt in range(len(delays) + 1):
        try:
            return task.fn(*args, **kwargs)
        except Exception as exc:
            if attempt == len(delays) or not _retries(task, exc):
                raise
            time.sleep(delays[attempt])
    raise AssertionError("unreachable")  # pragma: no cover


def _resolved(value: Any) -> Any:
    """An upstream future's result; under allow_failure, its exception when it failed."""
    tolerate = isinstance(value, allow_failure)
    if tolerate:
        value = value.unwrap()
    if isinstance(value, PrefectFuture):
        return value.result(raise_on_failure=not tolerate)
    return value


def _retry_delays(task: Task[Any, Any]) -> list[float]:
    delay = task.retry_delay_seconds
    if isinstance(delay, list):
        return [float(d) for d in (delay + delay[-1:] * task.retries)[: task.retries]]
    return [float(delay or 0)] * task.retries


def _retries(task: Task[Any, Any], exc: Exception) -> bool:
    """The task's retry condition, asked with the failed state Prefect would give it."""
    condition: Any = task.retry_condition_fn
    return condition is None or bool(condition(task, None, Failed(data=exc)))
