"""Google Maps Platform answers for the tests: the documented shapes the demo world answers with
(deployments/stand_ins/google.py), and a quota the local server enforces as Google does (429
RESOURCE_EXHAUSTED)."""

from __future__ import annotations

import threading
import time
from collections import Counter, deque
from collections.abc import Callable

from deployments.stand_ins.google import ADDRESS as ADDRESS
from deployments.stand_ins.google import GEOCODE as GEOCODE
from deployments.stand_ins.google import PLACES as PLACES
from deployments.stand_ins.google import TIMEZONE as TIMEZONE
from deployments.stand_ins.google import VALIDATE as VALIDATE
from deployments.stand_ins.google import environment as environment
from deployments.stand_ins.google import error as error
from deployments.stand_ins.google import geocode as geocode
from deployments.stand_ins.google import places as places
from deployments.stand_ins.google import requested_address as requested_address
from deployments.stand_ins.google import time_zone as time_zone
from deployments.stand_ins.google import validation as validation
from tests.support.servers import HttpServer, Reply, Request, Route


def in_turn(*replies: Reply) -> Callable[[Request], Reply]:
    """Answer with each reply in turn, then keep giving the last (an outage, then recovery)."""
    pending = iter(replies)
    return lambda _request: next(pending, replies[-1])


class GoogleQuota:
    """Google's per-API quota as the local server enforces it: at most `per_second` answered
    requests of one API in any `window` seconds (sliding); one more gets 429 with Google's
    RESOURCE_EXHAUSTED error body. Counts the calls per API and requested address, and the 429s;
    notes when each call arrived (`arrived`: API, address, monotonic time).
    """

    def __init__(self, per_second: int, window: float = 1.0) -> None:
        self.per_second = per_second
        self.window = window
        self.calls: Counter[tuple[str, str]] = Counter()
        self.rejected: Counter[str] = Counter()
        self.arrived: list[tuple[str, str, float]] = []
        self._answered: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def admit(self, api: str) -> bool:
        with self._lock:
            now = time.monotonic()
            window = self._answered.setdefault(api, deque())
            while window and window[0] <= now - self.window:
                window.popleft()
            if len(window) >= self.per_second:
                self.rejected[api] += 1
                return False
            window.append(now)
            return True

    def guard(self, api: str, route: Route) -> Route:
        """`route` behind the quota, counting the calls per requested address."""

        def answer(request: Request) -> Reply:
            address = requested_address(request)
            with self._lock:
                self.calls[(api, address)] += 1
                self.arrived.append((api, address, time.monotonic()))
            if not self.admit(api):
                message = f"Quota exceeded for quota metric 'Requests' of service '{api}'"
                return Reply(429, error(429, message, "RESOURCE_EXHAUSTED"))
            return route(request)

        return answer

    def serve(self, http: HttpServer, routes: dict[tuple[str, str], Route | Reply]) -> None:
        """Route each `(method, path)` of a Google API through the quota."""
        for (method, path), route in routes.items():
            http.route(method, path, route)
            key = (method.upper(), path)
            http.routes[key] = self.guard(path.rsplit("/", 1)[-1], http.routes[key])

    def most_in_one_window(self, api: str) -> int:
        """The most calls of `api` that arrived within any one of the quota's windows (a
        second), 429s included: what the provider would have counted."""
        times = sorted(at for name, _address, at in self.arrived if name == api)
        window: deque[float] = deque()
        most = 0
        for at in times:
            window.append(at)
            while window[0] <= at - self.window:
                window.popleft()
            most = max(most, len(window))
        return most

    @property
    def most_calls_per_address(self) -> int:
        return max(self.calls.values(), default=0)

    @property
    def total_rejected(self) -> int:
        return sum(self.rejected.values())
