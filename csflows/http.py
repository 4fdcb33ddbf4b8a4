"""One way to call an external HTTP API: the API's quota passed before each request, one attempt
whose faults are sorted into transient (timeouts, connection errors, 5xx, 429) and not, and
errors that name the API, the status and the message of the error body. Retrying is the Prefect
task's (tasks/retry.py), never here: one layer, so one failing attempt costs a bounded number of
calls."""

from __future__ import annotations

import fcntl
import json
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import requests

from csflows.errors import ApiError, TransientApiError
from csflows.paths import home


class Limit(Protocol):
    """Something an API request passes: `with limit.slot(): send it`."""

    def slot(self) -> AbstractContextManager[None]: ...


@contextmanager
def _locked_state(path: Path) -> Iterator[dict[str, Any]]:
    """A JSON state file read and rewritten under an exclusive lock (every process on this
    machine sees one order of events)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        handle.seek(0)
        try:
            state = json.loads(handle.read() or "{}")
        except json.JSONDecodeError:
            state = {}
        yield state
        handle.seek(0)
        handle.truncate()
        handle.write(json.dumps(state))


@dataclass
class QuotaWindow:
    """At most `limit` requests of an API in any `window` seconds, as a provider that counts
    requests in a sliding window sees them (Google's per-API quotas), for every process on
    this machine (a locked file in CSFLOWS_HOME).

    A request holds its slot from before it is sent until its answer is read, and counts for
    `window` seconds after that: it reached the provider somewhere in between, so however
    late it arrived (a busy machine, a slow network) no window there holds more than `limit`.
    A slot left open by a killed process counts as done after `max_flight` seconds. This holds
    one machine only: the task layer puts the team's limit, kept on the Prefect server, in its
    place (`use_quotas`, tasks/quotas.py).
    """

    api: str
    limit: int
    window: float = 1.0
    max_flight: float = 120.0

    @classmethod
    def per_second(cls, api: str, per_second: float) -> QuotaWindow:
        """`per_second` as whole requests per window: 10 -> 10 in 1 s, 0.5 -> 1 in 2 s."""
        return cls(api, *whole_requests(per_second))

    @property
    def _path(self) -> Path:
        return home() / "ratelimits" / f"{self.api}.window.json"

    def _enter(self) -> str:
        ticket = uuid.uuid4().hex
        while True:
            with _locked_state(self._path) as state:
                now = time.time()
                slots = {
                    t: (start, end)
                    for t, (start, end) in (state.get("slots") or {}).items()
                    if (end is not None and end > now - self.window)
                    or (end is None and start > now - self.max_flight)
                }
                if len(slots) < self.limit:
                    slots[ticket] = (now, None)
                state["slots"] = slots
                if ticket in slots:
                    return ticket
                ends = [end for _start, end in slots.values() if end is not None]
                wait = min(ends) + self.window - now if ends else 0.05
            time.sleep(min(max(wait, 0.005), 0.25))

    def _leave(self, ticket: str) -> None:
        with _locked_state(self._path) as state:
            slots = state.get("slots") or {}
            if ticket in slots:
                slots[ticket] = (slots[ticket][0], time.time())

    @contextmanager
    def slot(self) -> Iterator[None]:
        if self.limit <= 0 or self.window <= 0:
            yield
            return
        ticket = self._enter()
        try:
            yield
        finally:
            self._leave(ticket)


def whole_requests(per_second: float) -> tuple[int, float]:
    """A quota per second as (requests, in seconds) a provider counts: 10 -> (10, 1.0),
    2.5 -> (2, 1.0), 0.5 -> (1, 2.0); (0, 0.0) is no quota."""
    if per_second >= 1:
        return int(per_second), 1.0
    return (1, 1 / per_second) if per_second > 0 else (0, 0.0)


Quotas = Callable[[str, float], Limit]
"""`quotas(api, per_second)`: the limit every request of `api` passes, for a provider's quota
of `per_second` requests."""

_quotas: Quotas = QuotaWindow.per_second


def use_quotas(quotas: Quotas | None) -> None:
    """Hold every API's quota with `quotas` from now on (the task layer's, kept on the Prefect
    server for the whole team); None: back to this machine's window."""
    global _quotas
    _quotas = quotas or QuotaWindow.per_second


def quota(api: str, per_second: float) -> Limit:
    """The limit a request of `api` passes: the provider's quota, `per_second`, for everyone
    sending (the team's when the task layer set it, else this machine's window)."""
    return _quotas(api, per_second)


class LimitedSession(requests.Session):
    """A requests session whose every HTTP request passes `limit` (for clients such as
    googlemaps that send on their own)."""

    def __init__(self, limit: Limit) -> None:
        super().__init__()
        self.limit = limit

    def request(self, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        with self.limit.slot():
            return super().request(*args, **kwargs)


def error_message(response: requests.Response) -> str:
    """The message inside an error body (Google's `error.message`, Twilio's `message`, ...)."""
    try:
        body = response.json()
    except ValueError:
        return (response.text or response.reason or "").strip()[:300]
    if isinstance(body, dict):
        err = body.get("error")
        if isinstance(err, dict):
            return str(err.get("message") or err.get("status") or err)[:300]
        for key in ("message", "detail", "error_message", "title", "error"):
            if body.get(key):
                return str(body[key])[:300]
        details = body.get("o:errorDetails")
        if isinstance(details, list) and details:
            return str(details[0].get("detail", details[0]))[:300]
    return str(body)[:300]


def retry_after(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After")
    try:
        return float(value) if value else None
    except ValueError:
        return None


def request(
    api: str,
    method: str,
    url: str,
    *,
    session: requests.Session | None = None,
    rate: Limit | None = None,
    timeout: float = 10.0,
    **kwargs: Any,
) -> requests.Response:
    """Send one API request once, through `rate`; TransientApiError on what is worth another
    try (errors.is_transient: the task retries it), ApiError on the rest."""
    http = session or requests
    try:
        with rate.slot() if rate else nullcontext():
            response = http.request(method, url, timeout=timeout, **kwargs)
    except requests.Timeout as exc:
        raise TransientApiError(api, f"timed out after {timeout:g}s") from exc
    except requests.ConnectionError as exc:
        raise TransientApiError(api, f"cannot connect: {exc.__class__.__name__}") from exc
    if response.status_code < 400:
        return response
    message = error_message(response)
    if response.status_code == 429 or response.status_code >= 500:
        raise TransientApiError(
            api, message, response.status_code, retry_after=retry_after(response)
        )
    raise ApiError(api, message, response.status_code, body=response.text[:2000])
