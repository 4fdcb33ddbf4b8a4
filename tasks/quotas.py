"""Every API's quota for the whole team: one Prefect global concurrency limit per API, used as a
rate limit (slots that decay, kept on the server), so however many workers run, together they
send no more than the provider's quota. Without a Prefect server (a command-line run) each
request passes this machine's window instead (csflows.http.QuotaWindow).

The settings are one slot decaying at `requests / (window + spread)` per second, never a slot
per request of the quota: N slots decaying N/s admit N at once and N more within the second,
2N in one second (measured: 16 in one second against a quota of 10, and 429s). One slot makes
the server space admissions at least `(window + spread) / requests` apart, so `requests + 1` of
them span at least `window + spread`: `spread` is how much later one request may reach the
provider than another admitted before it (config/operations.yaml). Importing this module puts
the team's quotas in place for every client (csflows.http.use_quotas).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache

import httpx
from prefect.client.orchestration import get_client
from prefect.concurrency.sync import rate_limit
from prefect.exceptions import ObjectAlreadyExists
from prefect.settings import PREFECT_API_URL

from blocks import GoogleMapsCredentials, NetSuiteCredentials, TwilioCredentials, resolve
from csflows.clients import google
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


def team_server() -> bool:
    """A Prefect server every worker shares is configured (not a temporary one per process)."""
    return bool(PREFECT_API_URL.value())


@cache
def _kept(api: str, decay: Decay) -> str:
    """Create or update `api`'s limit once per process (serve and work-pool.sh did it already;
    a run started elsewhere, a test's server, still finds it)."""
    name = limit_name(api)
    with get_client(sync_client=True) as client:
        try:
            client.upsert_global_concurrency_limit_by_name(name, decay.slots, decay.per_second)
        except (ObjectAlreadyExists, httpx.HTTPStatusError):
            # another machine created it between our read and our create (Prefect's upsert is
            # not atomic: the server refuses the second create): now it is there to update
            client.upsert_global_concurrency_limit_by_name(name, decay.slots, decay.per_second)
    return name


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
        rate_limit(_kept(self.api, decay), strict=True)
        yield


def team_quota(api: str, per_second: float) -> Limit:
    """csflows.http's quotas: the team's on a Prefect server, else this machine's window."""
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
    spread = operations_policy().quota_spread_seconds
    kept = {}
    for api, per_second in configured_quotas().items():
        decay = decay_for(per_second, spread)
        if decay is not None:
            _kept(api, decay)
            kept[api] = decay
    return kept


use_quotas(team_quota)
