"""Every API's quota for the whole team: one Prefect global concurrency limit per API, used as a
rate limit (slots that decay, kept on the server), so however many workers run, together they
send no more than the provider's quota. On one machine (`csflows serve`, a command-line run)
each request passes this machine's window instead (csflows.http.QuotaWindow): the team is that
machine.

The settings are one slot decaying at `requests / (window + spread)` per second, never a slot
per request of the quota: N slots decaying N/s admit N at once and N more within the second,
2N in one second (measured: 16 in one second against a quota of 10, and 429s). One slot makes
the server space admissions at least `(window + spread) / requests` apart, so `requests + 1` of
them span at least `window + spread`: `spread` is how much later one request may reach the
provider than another admitted before it (config/operations.yaml). Importing this module puts
the team's quotas in place for every client (csflows.http.use_quotas).
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache

import httpx
from prefect import get_run_logger
from prefect.client.orchestration import get_client
from prefect.exceptions import (
    MissingContextError,
    ObjectAlreadyExists,
    ObjectNotFound,
    PrefectHTTPStatusError,
)
from prefect.settings import PREFECT_API_URL, PREFECT_CLIENT_MAX_RETRIES, temporary_settings

from blocks import GoogleMapsCredentials, NetSuiteCredentials, TwilioCredentials, resolve
from csflows.clients import google
from csflows.errors import ApiError, ConfigError, TransientApiError
from csflows.http import Limit, QuotaWindow, use_quotas, whole_requests
from csflows.ops.policy import operations_policy
from csflows.vetting.policy import vetting_policy


@dataclass(frozen=True)
class Decay:
    """A global concurrency limit's settings: `slots`, each freed `1 / per_second` s after use."""

    slots: int
    per_second: float


def decay_for(requests_per_second: float, spread: float) -> Decay | None:
    """The settings that never admit more than the provider counts in any of its windows, for
    requests reaching it up to `spread` seconds apart from when they were admitted; None for
    no quota (0)."""
    requests, window = whole_requests(requests_per_second)
    if requests <= 0:
        return None
    return Decay(slots=1, per_second=requests / (window + spread))


def limit_name(api: str) -> str:
    """The Prefect limit holding `api`'s quota (Concurrency page of the UI)."""
    return f"api:{api}"


TEAM_QUOTAS = "CSFLOWS_TEAM_QUOTAS"  # set to 1 by the work pool's job variables (prefect.yaml)


def team_server() -> bool:
    """This process runs the team's work on a pool of machines sharing one Prefect server: the
    pool's job variables set TEAM_QUOTAS for every flow run a worker starts. `csflows serve` is
    one machine, whose own window is the team's quota and costs no request to the server (on
    the quick start's SQLite server a slot waited up to 2 s on the server's writes of the run's
    states: bench/README.md)."""
    return bool(PREFECT_API_URL.value()) and os.environ.get(TEAM_QUOTAS) == "1"


@cache
def _kept(api: str, decay: Decay, update: bool = False) -> str:
    """`api`'s limit on the server, once per process: created when missing (a run started
    elsewhere, a test's server), set to `decay` only with `update` (keep_quotas: serve and
    work-pool.sh, the team's configuration). A flow run never rewrites it: one machine with an
    old quota in its environment (the former quota / N) must not change the whole team's; its
    log says the two differ."""
    name = limit_name(api)
    with get_client(sync_client=True) as client:
        try:
            there = client.read_global_concurrency_limit_by_name(name)
        except ObjectNotFound:
            there = None
        if there is not None and not update:
            if (there.limit, there.slot_decay_per_second) != (decay.slots, decay.per_second):
                _warn(
                    f"{name}: this machine's configuration gives {decay.per_second:g} slots a "
                    f"second, the team's limit on the Prefect server {there.slot_decay_per_second:g}"
                    ": the team's holds (deployments/work-pool.sh or csflows serve sets it)"
                )
            return name
        try:
            client.upsert_global_concurrency_limit_by_name(name, decay.slots, decay.per_second)
        except (ObjectAlreadyExists, httpx.HTTPStatusError):
            # another machine created it between our read and our create (Prefect's upsert is
            # not atomic: the server refuses the second create): now it is there to update
            client.upsert_global_concurrency_limit_by_name(name, decay.slots, decay.per_second)
    return name


def _warn(message: str) -> None:
    """In the run's log when in a run (the UI shows it), else this process's."""
    try:
        get_run_logger().warning(message)
    except MissingContextError:
        logging.getLogger(__name__).warning(message)


@dataclass(frozen=True)
class TeamQuota:
    """A Limit for csflows.http: one of the team's slots of `api` taken before each request."""

    api: str
    per_second: float

    @contextmanager
    def slot(self) -> Iterator[None]:
        decay = decay_for(self.per_second, operations_policy().quota_spread_seconds)
        if decay is None:
            yield
            return
        with server_faults(limit_name(self.api)):
            take_slot(_kept(self.api, decay))
        yield


@contextmanager
def server_faults(name: str) -> Iterator[None]:
    """The Prefect server's faults while a slot of `name` is taken, as the API call's own: no
    answer or a 5xx is transient (the task tries the call again, as for the provider's), any
    other refusal is not. Without this a server restarting under the team failed every call."""
    try:
        yield
    except httpx.TransportError as exc:
        raise TransientApiError(
            name, f"the Prefect server holding the quota: no answer ({type(exc).__name__})"
        ) from exc
    except httpx.HTTPStatusError as exc:  # PrefectHTTPStatusError is one
        status = exc.response.status_code
        kind = TransientApiError if status >= 500 else ApiError
        raise kind(name, "the Prefect server holding the quota refused a slot", status) from exc


BUSY_PAUSE = 0.05  # s between asking again when the server was busy (503)
BUSY_FOR_AT_MOST = 10.0  # s of 503s before the request fails (server_faults: transient)


def take_slot(name: str) -> None:
    """One slot of the limit `name`, through Prefect's client (its URL, auth and TLS), as
    `prefect.concurrency.sync.rate_limit` takes it, but without the client's own retries: a
    Prefect server on SQLite answers 503 while it writes a run's states, and the client then
    waits 2 s before asking again (measured: each quota-limited call of a vetting run 2 s
    later, bench/README.md). Here a 503 is asked again after BUSY_PAUSE; a 423 (no slot yet)
    waits the Retry-After the server computes from the limit's decay."""
    busy_until = time.monotonic() + BUSY_FOR_AT_MOST
    with (
        temporary_settings({PREFECT_CLIENT_MAX_RETRIES: 0}),
        get_client(sync_client=True) as client,
    ):
        while True:
            try:
                taken = client.increment_concurrency_slots([name], 1, "rate_limit")
            except PrefectHTTPStatusError as exc:
                status = exc.response.status_code
                if status == 423:
                    time.sleep(float(exc.response.headers.get("Retry-After", 1)))
                elif status == 503 and time.monotonic() < busy_until:
                    time.sleep(BUSY_PAUSE)
                else:
                    raise
                continue
            if not taken.json():
                raise ConfigError(
                    f"the Prefect limit {name!r} is missing: deployments/work-pool.sh keeps it"
                )
            return


def team_quota(api: str, per_second: float) -> Limit:
    """csflows.http's quotas: the team's on a pool of machines, else this machine's window."""
    if team_server():
        return TeamQuota(api, per_second)
    return QuotaWindow.per_second(api, per_second)


def configured_quotas() -> dict[str, float]:
    """Every API csflows calls and its provider's quota per second, from the blocks (saved on
    the server: one value for every worker) and config/vetting.yaml."""
    return {
        **dict.fromkeys(google.APIS, resolve(GoogleMapsCredentials).requests_per_second),
        "rdap": vetting_policy().lookups.rdap_requests_per_second,
        "twilio": resolve(TwilioCredentials).requests_per_second,
        "netsuite": resolve(NetSuiteCredentials).requests_per_second,
    }


def keep_quotas() -> dict[str, Decay]:
    """Create or update every API's limit on the Prefect server from config (idempotent: by
    name; `csflows serve` and work-pool.sh run it)."""
    kept = {api: keep_quota(api, per_second) for api, per_second in configured_quotas().items()}
    return {api: decay for api, decay in kept.items() if decay is not None}


def keep_quota(api: str, per_second: float) -> Decay | None:
    """Set `api`'s limit on the Prefect server to the provider's quota `per_second`, for every
    machine of the team (None: no quota, no limit)."""
    decay = decay_for(per_second, operations_policy().quota_spread_seconds)
    if decay is not None:
        _kept(api, decay, update=True)
    return decay


use_quotas(team_quota)
