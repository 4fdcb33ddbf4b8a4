"""RDAP (RFC 9083): when a domain was registered, for the website criterion's age test."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from csflows.clients.cache import cached_lookup
from csflows.errors import ApiError
from csflows.http import quota, request

DEFAULT_BASE_URL = "https://rdap.org"
SECOND_LEVEL = {"co", "com", "org", "net", "ac", "gov", "edu", "ltd", "plc"}


@dataclass(frozen=True)
class Registration:
    domain: str
    registered: datetime | None
    note: str  # what the registry said, for the evidence
    api_calls: int = 0  # 0: the answer came from the cache, the registry was not asked now
    listed: bool = True  # False: the registry has no record of the domain (not registered)


def registrable_domain(host: str) -> str:
    """`shop.example.co.uk` -> `example.co.uk`; `www.example.com` -> `example.com`."""
    labels = host.lower().strip(".").split(".")
    if len(labels) >= 3 and len(labels[-1]) == 2 and labels[-2] in SECOND_LEVEL:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


def registration_date(body: dict[str, Any]) -> datetime | None:
    for event in body.get("events") or []:
        if event.get("eventAction") == "registration" and event.get("eventDate"):
            return datetime.fromisoformat(str(event["eventDate"]).replace("Z", "+00:00"))
    return None


def lookup_registration(
    host: str, cache_for: timedelta, per_second: float = 2.0, timeout: float = 10.0
) -> Registration:
    """The domain's registration event; a domain the registry does not know is a note, not an error."""
    domain = registrable_domain(host)
    base = os.environ.get("CSFLOWS_RDAP_BASE_URL", DEFAULT_BASE_URL).rstrip("/")

    def fetch() -> dict[str, Any]:
        try:
            response = request(
                "rdap",
                "GET",
                f"{base}/domain/{domain}",
                rate=quota("rdap", per_second),
                timeout=timeout,
                headers={"Accept": "application/rdap+json, application/json"},
            )
        except ApiError as exc:
            if exc.status == 404:
                return {"errorCode": 404}
            raise
        body = response.json()
        return body if isinstance(body, dict) else {}

    body, cached = cached_lookup("rdap", {"domain": domain}, fetch, cache_for)
    calls = 0 if cached else 1
    if body.get("errorCode") == 404:
        return Registration(domain, None, f"RDAP has no record of {domain}", calls, listed=False)
    registered = registration_date(body)
    note = (
        f"{domain} registered {registered.date()}"
        if registered
        else f"RDAP gives no registration date for {domain}"
    )
    return Registration(domain, registered, note, calls)
