"""Operations without a server: the automations' definitions, their waits, the mail URL, and the
quick start's single-writer SQLite configuration."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from uuid import uuid4

import pytest
from prefect.events.actions import RunDeployment, SendNotification
from prefect.events.schemas.automations import Posture
from pydantic import SecretStr

from csflows.ops.policy import (
    heartbeat_silence,
    operations_policy,
    pending_looks,
    pending_silence,
    stuck_approval_after,
    why_requeue,
    worker_lost,
)
from deployments import automations
from deployments.prefect_server import SingleWriterSqlite, install_single_writer


def smtp(**changes: object) -> SimpleNamespace:
    values: dict[str, object] = {
        "host": "mail.example.com",
        "port": 587,
        "username": None,
        "password": None,
        "ssl": False,
        "starttls": True,
        "mail_from": "Customer Service <cs@example.com>",
    }
    return SimpleNamespace(**(values | changes))


def test_the_reminder_time_counts_as_calendar_days_unless_a_test_shortens_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("CSFLOWS_STUCK_APPROVAL_SECONDS", raising=False)
    monkeypatch.delenv("CSFLOWS_HEARTBEAT_SILENCE_SECONDS", raising=False)
    assert stuck_approval_after() == timedelta(days=3)  # config/approval.yaml: 3 business days
    assert heartbeat_silence() == timedelta(minutes=10)
    monkeypatch.setenv("CSFLOWS_STUCK_APPROVAL_SECONDS", "15")
    monkeypatch.setenv("CSFLOWS_HEARTBEAT_SILENCE_SECONDS", "45")
    assert stuck_approval_after() == timedelta(seconds=15)
    assert heartbeat_silence() == timedelta(seconds=45)


def test_the_on_call_address_is_configured() -> None:
    assert operations_policy().on_call_email == "it-on-call@example.com"


def test_the_mail_url_carries_the_smtp_settings_quoted() -> None:
    url = automations.mail_url("sup@example.com", smtp(username="ops@x", password=SecretStr("p/w")))
    assert url.startswith("mailto://ops%40x:p%2Fw@mail.example.com:587?")
    assert "to=sup%40example.com" in url and "mode=starttls" in url
    assert "from=Customer%20Service%20%3Ccs%40example.com%3E" in url
    assert "mode=insecure" in automations.mail_url("a@b.c", smtp(starttls=False))
    assert "mode=ssl" in automations.mail_url("a@b.c", smtp(ssl=True))


def test_the_stuck_approval_waits_on_suspended_runs_tagged_for_the_supervisor() -> None:
    core = automations.stuck_approval(uuid4(), timedelta(days=3)).core()
    trigger = core.trigger
    assert trigger.posture == Posture.Proactive and trigger.within == timedelta(days=3)
    assert trigger.after == {"prefect.flow-run.Suspended"}
    assert "prefect.flow-run.heartbeat" not in trigger.expect
    assert "prefect.flow-run.Running" in trigger.expect
    related = trigger.model_dump(mode="json")["match_related"]
    assert related == {"prefect.resource.id": "prefect.tag.awaiting:supervisor"}
    assert isinstance(core.actions[0], SendNotification)


def test_a_silent_run_is_checked_not_crashed_by_the_automation() -> None:
    """The automation only starts check-silent-run: a heartbeat may reach the server after the
    run's Suspended state, and Prefect's own change-state action would crash a suspended run."""
    core = automations.silent_run(uuid4(), timedelta(minutes=10)).core()
    assert core.trigger.after == {"prefect.flow-run.heartbeat"}
    assert core.trigger.expect == {"prefect.flow-run.*"}
    related = core.trigger.model_dump(mode="json")["match_related"]
    assert related == {
        "prefect.resource.role": "flow",
        "prefect.resource.name": "!check-silent-run",
    }
    [action] = core.actions
    assert isinstance(action, RunDeployment)
    assert action.parameters == {"flow_run_id": "{{ event.resource.id }}"}


def test_a_run_left_pending_is_checked_once_its_wait_passes_without_a_start() -> None:
    core = automations.taken_not_started(uuid4(), timedelta(minutes=5)).core()
    trigger = core.trigger
    assert trigger.posture == Posture.Proactive and trigger.within == timedelta(minutes=5)
    assert trigger.after == {"prefect.flow-run.Pending"}
    assert "prefect.flow-run.Running" in trigger.expect
    assert "prefect.flow-run.Submitting" not in trigger.expect  # still not started
    assert "prefect.flow-run.Pending" not in trigger.expect
    [action] = core.actions
    assert isinstance(action, RunDeployment)
    assert action.parameters == {"flow_run_id": "{{ event.resource.id }}"}


def test_a_pending_run_waits_five_minutes_unless_a_test_shortens_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("CSFLOWS_PENDING_SILENCE_SECONDS", raising=False)
    assert pending_silence() == timedelta(minutes=5)
    monkeypatch.setenv("CSFLOWS_PENDING_SILENCE_SECONDS", "20")
    assert pending_silence() == timedelta(seconds=20)


def test_a_pending_runs_worker_is_lost_when_offline_or_unknown() -> None:
    assert worker_lost("worker-a", {"worker-b"})
    assert worker_lost(None, {"worker-b"})  # died before it labelled the run
    assert not worker_lost("worker-a", {"worker-a", "worker-b"})


def test_a_proactive_wait_is_at_least_prefects_ten_seconds() -> None:
    core = automations.silent_run(uuid4(), timedelta(seconds=1)).core()
    assert core.trigger.within == timedelta(seconds=10)


def test_the_lost_serve_watches_the_check_deployment_only() -> None:
    core = automations.lost_serve(uuid4()).core()
    assert core.trigger.expect == {"prefect.deployment.not-ready"}
    match = core.trigger.model_dump(mode="json")["match"]
    assert match["prefect.resource.name"] == automations.CHECK_DEPLOYMENT


class FakeSession:
    """What SingleWriterSqlite.begin_transaction uses of a session: `begin()`, noting the SQLite
    BEGIN mode Prefect would emit."""

    def __init__(self) -> None:
        self.modes: list[str | None] = []

    def begin(self) -> FakeSession:
        from prefect.server.database.configurations import SQLITE_BEGIN_MODE

        self.modes.append(SQLITE_BEGIN_MODE.get())
        return self

    async def __aenter__(self) -> None:
        return None

    async def __aexit__(self, *_: object) -> None:
        return None


def test_the_single_writer_begins_every_transaction_immediate(
    monkeypatch: pytest.MonkeyPatch, tmp_path: object
) -> None:
    from prefect.server.database.dependencies import MODELS_DEPENDENCIES

    config = SingleWriterSqlite(connection_url="sqlite+aiosqlite:///:memory:")
    session = FakeSession()

    async def begin() -> None:
        async with config.begin_transaction(session, with_for_update=False):  # type: ignore[arg-type]
            pass

    asyncio.run(begin())
    assert session.modes == ["IMMEDIATE"]

    monkeypatch.setitem(MODELS_DEPENDENCIES, "database_config", None)
    assert install_single_writer("postgresql+asyncpg://x@h/db") is False
    assert MODELS_DEPENDENCIES["database_config"] is None
    assert install_single_writer(f"sqlite+aiosqlite:///{tmp_path}/p.db") is True
    assert isinstance(MODELS_DEPENDENCIES["database_config"], SingleWriterSqlite)


def test_the_single_writers_transactions_take_turns_first_come_first_served() -> None:
    config = SingleWriterSqlite(connection_url="sqlite+aiosqlite:///:memory:")
    seen: list[str] = []

    async def transaction(name: str) -> None:
        async with config.begin_transaction(FakeSession()):  # type: ignore[arg-type]
            seen.append(f"{name} begins")
            async with config.begin_transaction(FakeSession()):  # type: ignore[arg-type]
                await asyncio.sleep(0.05)  # one begun inside another does not wait for itself
            seen.append(f"{name} ends")

    async def burst() -> None:
        await asyncio.wait_for(asyncio.gather(*(transaction(name) for name in "abc")), 10)

    asyncio.run(burst())
    assert seen == ["a begins", "a ends", "b begins", "b ends", "c begins", "c ends"]


def test_a_pending_run_goes_back_when_its_worker_is_offline_or_restarted_else_is_looked_at_again() -> (
    None
):
    online = {"worker-a", "worker-b"}
    assert "went offline" in str(why_requeue("worker-c", online, None, 1))
    assert "(unnamed)" in str(why_requeue(None, online, None, 1))
    restarted = datetime(2026, 12, 5, 9, 30, tzinfo=UTC)
    for seen_online in (online, set()):  # online again, or not yet counted so
        assert "restarted at 2026-12-05 09:30:00 UTC" in str(
            why_requeue("worker-a", seen_online, restarted, 1)
        )
    assert why_requeue("worker-a", online, None, 1) is None  # still starting it: look again


def test_a_run_held_pending_by_a_live_worker_goes_back_after_the_last_look(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CSFLOWS_PENDING_SILENCE_SECONDS", "300")
    looks = pending_looks()
    assert looks == operations_policy().pending_looks == 6
    assert why_requeue("worker-a", {"worker-a"}, None, looks - 1) is None
    held = why_requeue("worker-a", {"worker-a"}, None, looks)
    assert held == "Taken by worker worker-a, online but not starting it for 30 minutes"
