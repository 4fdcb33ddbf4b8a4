"""Google Maps Platform answers in their documented JSON shapes, for the local HTTP server,
and a quota that local server enforces as Google does (429 RESOURCE_EXHAUSTED)."""

from __future__ import annotations

import threading
import time
from collections import Counter, deque
from collections.abc import Callable
from typing import Any

from tests.support.servers import HttpServer, Reply, Request, Route

ADDRESS = "233 S Wacker Dr Ste 400, Chicago, IL 60606-6306, USA"


def validation(metadata: dict[str, bool] | None = None, **usps: str) -> dict[str, Any]:
    """An Address Validation `v1:validateAddress` response (enableUspsCass on)."""
    result: dict[str, Any] = {
        "verdict": {
            "inputGranularity": "SUB_PREMISE",
            "validationGranularity": "SUB_PREMISE",
            "geocodeGranularity": "SUB_PREMISE",
            "addressComplete": True,
            "hasInferredComponents": True,
        },
        "address": {
            "formattedAddress": ADDRESS,
            "postalAddress": {
                "regionCode": "US",
                "languageCode": "en",
                "postalCode": "60606-6306",
                "administrativeArea": "IL",
                "locality": "Chicago",
                "addressLines": ["233 S Wacker Dr Ste 400"],
            },
            "addressComponents": [],
        },
        "geocode": {
            "location": {"latitude": 41.8788764, "longitude": -87.6359149},
            "plusCode": {"globalCode": "86HJV9HF+HJ"},
            "placeId": "ChIJ5Vq7F7wsDogRpo0g4gjJb2s",
            "placeTypes": ["subpremise"],
        },
        "uspsData": {
            "standardizedAddress": {
                "firstAddressLine": "233 S WACKER DR STE 400",
                "cityStateZipAddressLine": "CHICAGO IL 60606-6306",
                "city": "CHICAGO",
                "state": "IL",
                "zipCode": "60606",
                "zipCodeExtension": "6306",
            },
            "deliveryPointCode": "00",
            "deliveryPointCheckDigit": "4",
            "dpvConfirmation": "Y",
            "dpvFootnote": "AABB",
            "dpvCmra": "N",
            "dpvVacant": "N",
            "dpvNoStat": "N",
            "carrierRoute": "C001",
            "postOfficeCity": "CHICAGO",
            "postOfficeState": "IL",
            "addressRecordType": "H",
            **usps,
        },
    }
    if metadata is not None:
        result["metadata"] = metadata
    return {"result": result, "responseId": "e7f4c1a2-0b1d-4a5e-9d3c-2f1e0a9b8c7d"}


def error(code: int, message: str, status: str) -> dict[str, Any]:
    """Google's JSON error body."""
    return {"error": {"code": code, "message": message, "status": status}}


def places(name: str, status: str = "OPERATIONAL", address: str = ADDRESS) -> dict[str, Any]:
    """A Places API (New) `places:searchText` response."""
    return {
        "places": [
            {
                "id": "ChIJN1t_tDeuEmsRUsoyG83frY4",
                "displayName": {"text": name, "languageCode": "en"},
                "formattedAddress": address,
                "businessStatus": status,
                "types": ["store", "point_of_interest", "establishment"],
                "googleMapsUri": "https://maps.google.com/?cid=7773155429473232530",
            }
        ]
    }


def geocode(types: list[str]) -> dict[str, Any]:
    """A Geocoding API response."""
    return {
        "results": [
            {
                "formatted_address": ADDRESS,
                "geometry": {
                    "location": {"lat": 41.8788764, "lng": -87.6359149},
                    "location_type": "ROOFTOP",
                },
                "place_id": "ChIJ5Vq7F7wsDogRpo0g4gjJb2s",
                "types": types,
                "address_components": [],
            }
        ],
        "status": "OK",
    }


def environment(base_url: str) -> dict[str, str]:
    """Point every Google API of the GoogleMapsCredentials block at a local server."""
    return {
        "CSFLOWS_GOOGLE_MAPS_API_KEY": "AIzaSyTest-local-only",
        "CSFLOWS_GOOGLE_MAPS_BASE_URL": base_url,
        "CSFLOWS_ADDRESS_VALIDATION_BASE_URL": base_url,
        "CSFLOWS_PLACES_BASE_URL": base_url,
    }


def in_turn(*replies: Reply) -> Callable[[Request], Reply]:
    """Answer with each reply in turn, then keep giving the last (an outage, then recovery)."""
    pending = iter(replies)
    return lambda _request: next(pending, replies[-1])


VALIDATE = "/v1:validateAddress"
PLACES = "/v1/places:searchText"
GEOCODE = "/maps/api/geocode/json"
TIMEZONE = "/maps/api/timezone/json"


def time_zone(zone_id: str = "America/Chicago") -> dict[str, Any]:
    """A Time Zone API response."""
    return {
        "dstOffset": 0,
        "rawOffset": -21600,
        "status": "OK",
        "timeZoneId": zone_id,
        "timeZoneName": "Central Standard Time",
    }


def requested_address(request: Request) -> str:
    """The address a Google request asks about, whichever of the three APIs it is."""
    if request.path.startswith(GEOCODE):
        return " ".join(request.query.get("address", []))
    body = request.json() or {}
    if request.path.startswith(PLACES):
        return str(body.get("textQuery", ""))
    lines = (body.get("address") or {}).get("addressLines") or []
    return " ".join(lines) + f" ({(body.get('address') or {}).get('regionCode', '')})"


class GoogleQuota:
    """Google's per-API quota as the local server enforces it: at most `per_second` answered
    requests of one API in any `window` seconds (sliding); one more gets 429 with Google's
    RESOURCE_EXHAUSTED error body. Counts the calls per API and requested address, and the 429s.
    """

    def __init__(self, per_second: int, window: float = 1.0) -> None:
        self.per_second = per_second
        self.window = window
        self.calls: Counter[tuple[str, str]] = Counter()
        self.rejected: Counter[str] = Counter()
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
            with self._lock:
                self.calls[(api, requested_address(request))] += 1
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

    @property
    def most_calls_per_address(self) -> int:
        return max(self.calls.values(), default=0)

    @property
    def total_rejected(self) -> int:
        return sum(self.rejected.values())
