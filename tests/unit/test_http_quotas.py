"""The team's API quotas as Prefect limit settings (tasks/quotas.py), checked as plain numbers:
one slot whose decay spaces admissions so that no provider window ever sees more than the
quota, even when requests reach the provider up to the spread apart."""

from __future__ import annotations

import math

import pytest

from csflows import http
from csflows.http import QuotaWindow, whole_requests
from tasks.quotas import Decay, TeamQuota, decay_for, limit_name, team_quota


def admissions(decay: Decay, seconds: float) -> list[float]:
    """When Prefect's server admits requests that are always waiting, from idle: a slot is free
    once `floor(per_second * seconds since the limit last changed)` slots have decayed, and
    each admission changes the limit (prefect/server/models/concurrency_limits_v2.py)."""
    active, updated, now, admitted = 0, 0.0, 0.0, []
    while now < seconds:
        free = decay.slots - max(0, active - math.floor(decay.per_second * (now - updated)))
        if free >= 1:
            active, updated = decay.slots - free + 1, now
            admitted.append(now)
        else:
            now = updated + 1 / decay.per_second * (1 + 1e-12)
    return admitted


def most_in_a_window(times: list[float], window: float, spread: float) -> int:
    """The most arrivals a provider's sliding window of `window` s can count when each admitted
    request arrives 0 to `spread` s later: those admitted within any `window + spread`."""
    span = window + spread
    return max(sum(1 for t in times if start <= t < start + span) for start in times)


@pytest.mark.parametrize("per_second", [0.2, 0.5, 1, 2, 2.5, 4, 5, 10, 25, 100])
@pytest.mark.parametrize("spread", [0.0, 0.2, 0.5])
def test_no_provider_window_sees_more_than_the_quota(per_second: float, spread: float) -> None:
    decay = decay_for(per_second, spread)
    assert decay is not None
    requests, window = whole_requests(per_second)
    times = admissions(decay, seconds=3 * (window + spread))
    assert most_in_a_window(times, window, spread) <= requests
    assert len(times) >= 2 * requests  # and it admits at nearly the quota


def test_a_slot_per_request_would_admit_twice_the_quota_in_its_first_second() -> None:
    """What Prefect's documented recipe (limit N, decay N/s) does: N at once, then one more
    each time a slot decays within the second."""
    times = admissions(Decay(slots=10, per_second=10), seconds=3)
    assert most_in_a_window(times, window=1.0, spread=0.0) == 19


def test_the_spread_costs_throughput_not_safety() -> None:
    assert decay_for(10, 0.2) == Decay(slots=1, per_second=10 / 1.2)
    assert decay_for(10, 0.0) == Decay(slots=1, per_second=10)
    assert decay_for(0.5, 0.2) == Decay(slots=1, per_second=1 / 2.2)


def test_no_quota_is_no_limit() -> None:
    assert decay_for(0, 0.2) is None
    assert whole_requests(0) == (0, 0.0)


def test_a_quota_per_second_counts_whole_requests_in_the_providers_window() -> None:
    assert whole_requests(10) == (10, 1.0)
    assert whole_requests(2.5) == (2, 1.0)
    assert whole_requests(0.5) == (1, 2.0)
    assert QuotaWindow.per_second("demo", 0.5) == QuotaWindow("demo", 1, 2.0)


def test_each_api_has_a_limit_of_its_own_on_the_server() -> None:
    assert limit_name("google.places") == "api:google.places"


def test_without_a_prefect_server_a_request_passes_this_machines_window(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """As a command-line run with no Prefect API URL (set explicitly: in the whole suite the
    flow tests' session harness has already configured one)."""
    monkeypatch.setattr("tasks.quotas.team_server", lambda: False)
    assert team_quota("demo", 4) == QuotaWindow("demo", 4, 1.0)


def test_a_served_machine_keeps_its_own_window_and_a_pool_machine_the_teams(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`csflows serve` is the team's one machine: no request to the server per call. A flow run
    a pool's worker starts has CSFLOWS_TEAM_QUOTAS from the pool's job variables."""
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from deployments.pool import work_pool_of
    from deployments.serve import deployment_specs

    with temporary_settings({PREFECT_API_URL: "http://127.0.0.1:4200/api"}):
        monkeypatch.delenv("CSFLOWS_TEAM_QUOTAS", raising=False)
        assert team_quota("demo", 4) == QuotaWindow("demo", 4, 1.0)
        monkeypatch.setenv("CSFLOWS_TEAM_QUOTAS", "1")
        assert team_quota("demo", 4) == TeamQuota("demo", 4)
    for spec in deployment_specs():
        assert work_pool_of(spec)["job_variables"]["env"]["CSFLOWS_TEAM_QUOTAS"] == "1"


def test_with_a_prefect_server_the_task_layer_holds_every_clients_quota(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("tasks.quotas.team_server", lambda: True)
    assert http.quota("google.places", 10) == TeamQuota("google.places", 10)


def test_a_prefect_server_that_does_not_answer_makes_the_call_transient_not_failed() -> None:
    """A server restarting under the team: the call is tried again by its task, as a provider's
    outage is (before, the client's connect error failed the task at once)."""
    import socket

    from prefect.settings import PREFECT_API_URL, temporary_settings

    from csflows.errors import TransientApiError, is_transient

    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with (
        temporary_settings({PREFECT_API_URL: f"http://127.0.0.1:{port}/api"}),
        pytest.raises(TransientApiError, match="api:google.places.*Prefect server") as raised,
    ):
        http.request(
            "google.places", "GET", "http://127.0.0.1:9/", rate=TeamQuota("google.places", 5)
        )
    assert is_transient(raised.value)


@pytest.mark.parametrize(("status", "transient"), [(503, True), (500, True), (422, False)])
def test_a_prefect_server_refusing_a_slot_is_transient_only_when_it_is_down(
    status: int, transient: bool
) -> None:
    import httpx

    from csflows.errors import ApiError, is_transient
    from tasks.quotas import server_faults

    request = httpx.Request("POST", "http://prefect.test/api/v2/concurrency_limits/increment")
    refusal = httpx.HTTPStatusError("refused", request=request, response=httpx.Response(status))
    with (
        pytest.raises(ApiError, match=f"api:rdap.*HTTP {status}") as raised,
        server_faults("api:rdap"),
    ):
        raise refusal
    assert is_transient(raised.value) is transient


def test_googlemaps_wrapping_our_quotas_fault_keeps_it_as_raised() -> None:
    """googlemaps wraps whatever its session raises in its TransportError: a missing limit must
    stay a ConfigError (not retried), a server outage a TransientApiError."""
    import googlemaps

    from csflows.clients.google import MapsClient
    from csflows.errors import ConfigError

    client = MapsClient(
        key="AIza-test", validation_base_url="http://g.test", rate=QuotaWindow("g", 5, 1.0)
    )
    missing = ConfigError("the Prefect limit 'api:google.places' is missing")
    assert client.gave_up("google.places", googlemaps.exceptions.TransportError(missing)) is missing
    other = client.gave_up("google.places", googlemaps.exceptions.TransportError(OSError("x")))
    assert "no answer: TransportError" in str(other)
