"""One way to call an external HTTP API: a rate limit per API, retries on transient faults only
(timeouts, connection errors, 5xx, 429) with exponential backoff and jitter, and errors that
name the API, the status and the message of the error body."""

from __future__ import annotations

import fcntl
import json
import random
import time
import uuid
from collections.abc import Iterator
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
class RateLimit:
    """A token bucket per API shared by every process on this machine (a locked file in
    CSFLOWS_HOME), so concurrent flow runs together stay under the provider's quota."""

    api: str
    per_second: float
    burst: int = 1

    def acquire(self) -> None:
        if self.per_second <= 0:
            return
        path = home() / "ratelimits" / f"{self.api}.json"
        while True:
            with _locked_state(path) as state:
                now = time.time()
                tokens = min(
                    self.burst,
                    state.get("tokens", self.burst)
                    + (now - state.get("at", now)) * self.per_second,
                )
                if tokens >= 1:
                    state.update(tokens=tokens - 1, at=now)
                    return
                wait = (1 - tokens) / self.per_second
            time.sleep(wait)

    @contextmanager
    def slot(self) -> Iterator[None]:
        self.acquire()
        yield


@dataclass
class QuotaWindow:
    """At most `limit` requests of an API in any `window` seconds, as a provider that counts
    requests in a sliding window sees them (Google's per-API quotas), for every process on
    this machine (a locked file in CSFLOWS_HOME).

    A request holds its slot from before it is sent until its answer is read, and counts for
    `window` seconds after that: it reached the provider somewhere in between, so however
    late it arrived (a busy machine, a slow network) no window there holds more than `limit`.
    A slot left open by a killed process counts as done after `max_flight` seconds. Several
    machines each need their own share of the quota.
    """

    api: str
    limit: int
    window: float = 1.0
    max_flight: float = 120.0

    @classmethod
    def per_second(cls, api: str, per_second: float) -> QuotaWindow:
        """`per_second` as whole requests per window: 10 -> 10 in 1 s, 0.5 -> 1 in 2 s."""
        if per_second >= 1:
            return cls(api, int(per_second))
        return cls(api, 1, 1 / per_second if per_second > 0 else 0.0)

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


class LimitedSession(requests.Session):
    """A requests session whose every HTTP request, retries included, passes `limit`
    (for clients such as googlemaps that send and retry on their own)."""

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
    attempts: int = 4,
    backoff: float = 0.5,
    max_backoff: float = 8.0,
    timeout: float = 10.0,
    **kwargs: Any,
) -> requests.Response:
    """Send one API request; retry transient faults, raise ApiError on the rest."""
    http = session or requests
    last: TransientApiError | None = None
    for attempt in range(attempts):
        try:
            with rate.slot() if rate else nullcontext():
                response = http.request(method, url, timeout=timeout, **kwargs)
        except requests.Timeout as exc:
            last = TransientApiError(api, f"timed out after {timeout:g}s")
            last.__cause__ = exc
        except requests.ConnectionError as exc:
            last = TransientApiError(api, f"cannot connect: {exc.__class__.__name__}")
            last.__cause__ = exc
        else:
            if response.status_code < 400:
                return response
            message = error_message(response)
            if response.status_code == 429 or response.status_code >= 500:
                last = TransientApiError(
                    api, message, response.status_code, retry_after=retry_after(response)
                )
            else:
                raise ApiError(api, message, response.status_code, body=response.text[:2000])
        if attempt + 1 < attempts:
            pause = (
                last.retry_after
                if last.retry_after is not None
                else min(max_backoff, backoff * 2**attempt)
            )
            time.sleep(pause * random.uniform(0.5, 1.0) if last.retry_after is None else pause)
    assert last is not None
    raise last
