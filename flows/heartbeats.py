"""Flow-run heartbeats that end when the run does.

Prefect's heartbeat thread (`prefect.flow_engine._send_heartbeats`, 3.8) beats at once and then
sleeps in 1 s steps, and a run's end waits for it to wake: every run, an inquiry's vetting
included, ended up to a second after its code (0.56 s and more in bench/vetting_latency.py).
This one beats at the same times (the first at once, which starts the silent-run automation's
window, then every PREFECT_FLOWS_HEARTBEAT_FREQUENCY seconds) but waits on the run's end, so the
run ends with its code. Installed by `flows/__init__.py`, in every process that runs a flow.
"""

from __future__ import annotations

import contextvars
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import prefect.flow_engine


@contextmanager
def prompt_heartbeats(engine: Any, join_on_exit: bool = True) -> Iterator[None]:
    """Heartbeats for `engine`'s flow run while inside (none when heartbeats are off): a daemon
    thread, as Prefect's, that stops as soon as the run's code is done."""
    seconds = engine.heartbeat_seconds  # PREFECT_FLOWS_HEARTBEAT_FREQUENCY, at least 30 s
    if seconds is None:
        yield
        return
    resource, related = engine._build_heartbeat_event_template()
    done = threading.Event()

    def beat() -> None:
        while not done.is_set():
            run = engine.flow_run
            if run is not None and run.state is not None and run.state.is_final():
                return
            try:
                engine._emit_flow_run_heartbeat(resource, related)
            except Exception:  # noqa: BLE001 - a lost beat must not fail the run (as Prefect)
                engine.logger.debug("Failed to emit heartbeat", exc_info=True)
            done.wait(seconds)

    # the run's context (its settings, so its PREFECT_API_URL), as Prefect's thread has it
    thread = threading.Thread(
        target=contextvars.copy_context().run, args=(beat,), name="heartbeat", daemon=True
    )
    thread.start()
    try:
        yield
    finally:
        done.set()
        if join_on_exit:
            thread.join(timeout=2)


def install() -> None:
    """Flow runs in this process send their heartbeats through `prompt_heartbeats`."""
    prefect.flow_engine._send_heartbeats = prompt_heartbeats  # type: ignore[assignment]
