"""A flow run's heartbeats (the silent-run automation's sign of life) begin with the run and
end with its code: the run does not wait for the heartbeat thread to wake from its sleep."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

import prefect.flow_engine

import flows  # noqa: F401 - installs the heartbeats, as a served run's process does
from flows.heartbeats import prompt_heartbeats


@dataclass
class Engine:
    """What the heartbeats read of Prefect's flow-run engine; beats are counted."""

    heartbeat_seconds: int | None = 30
    flow_run: Any = None
    beats: list[object] = field(default_factory=list)
    first: threading.Event = field(default_factory=threading.Event)
    logger: Any = None

    def _build_heartbeat_event_template(self) -> tuple[dict[str, str], list[object]]:
        return {"prefect.resource.id": "prefect.flow-run.1"}, []

    def _emit_flow_run_heartbeat(self, resource: dict[str, str], related: list[object]) -> None:
        self.beats.append(resource)
        self.first.set()


def heartbeat_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "heartbeat"]


def test_flow_runs_in_a_process_that_imports_the_flows_use_these_heartbeats() -> None:
    assert prefect.flow_engine._send_heartbeats is prompt_heartbeats


def test_a_run_beats_at_once_and_its_end_does_not_wait_for_the_next_beat() -> None:
    engine = Engine(heartbeat_seconds=3600)
    with prompt_heartbeats(engine):
        assert engine.first.wait(10)  # the first beat starts the silent-run window
        assert len(heartbeat_threads()) == 1
    assert heartbeat_threads() == []  # joined on the way out, not an hour later
    assert engine.beats == [{"prefect.resource.id": "prefect.flow-run.1"}]


def test_with_heartbeats_off_no_thread_starts() -> None:
    engine = Engine(heartbeat_seconds=None)
    with prompt_heartbeats(engine):
        assert heartbeat_threads() == []
    assert engine.beats == []
