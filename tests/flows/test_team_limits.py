"""The team's quota limits on the Prefect server: set by the team's configuration (csflows
serve, work-pool.sh), created by a flow run that finds one missing, never rewritten by one."""

from __future__ import annotations

import pytest
from prefect import get_client

from csflows.ops.policy import operations_policy
from tasks.quotas import TeamQuota, _kept, decay_for, keep_quota, limit_name


def slot_decay(api: str) -> float:
    with get_client(sync_client=True) as client:
        decay = client.read_global_concurrency_limit_by_name(limit_name(api)).slot_decay_per_second
    assert decay is not None
    return decay


def per_second(quota: float) -> float:
    decay = decay_for(quota, operations_policy().quota_spread_seconds)
    assert decay is not None
    return decay.per_second


@pytest.fixture(autouse=True)
def fresh_process() -> None:
    _kept.cache_clear()  # as in a new flow-run process


def test_a_machine_with_another_quota_uses_the_teams_and_leaves_it_as_it_is(
    caplog: pytest.LogCaptureFixture,
) -> None:
    keep_quota("team-limits.kept", 10)
    with TeamQuota("team-limits.kept", 2).slot():  # an old per-machine value in its environment
        pass
    assert slot_decay("team-limits.kept") == pytest.approx(per_second(10))
    assert "the team's holds" in caplog.text


def test_a_flow_run_that_finds_no_limit_creates_the_teams() -> None:
    with TeamQuota("team-limits.missing", 3).slot():
        pass
    assert slot_decay("team-limits.missing") == pytest.approx(per_second(3))


def test_the_teams_configuration_changes_the_limit_for_every_machine() -> None:
    keep_quota("team-limits.changed", 10)
    keep_quota("team-limits.changed", 4)
    assert slot_decay("team-limits.changed") == pytest.approx(per_second(4))
