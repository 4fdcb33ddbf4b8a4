"""Google Maps Platform for the address criterion: Address Validation and Geocoding through the
`googlemaps` client, Places API (New) Text Search through csflows.http (googlemaps only speaks
the legacy Places endpoints). Every answer is cached on the normalized request (one call per
distinct request, however many runs ask at once) and every HTTP request passes the API's quota
(csflows.http.quota). One attempt each: googlemaps' own retries are off, the task retries."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Protocol

import googlemaps
from googlemaps import addressvalidation as gm_addressvalidation
from pydantic import SecretStr

from csflows.clients.cache import cached_lookup
from csflows.errors import ApiError, CsflowsError, ExternalError, TransientApiError
from csflows.http import Limit, LimitedSession, error_message, quota, request
from csflows.models import Address

APIS = ("google.addressvalidation", "google.geocoding", "google.timezone", "google.places")
"""Google counts each API's requests apart, each at the credentials' `requests_per_second`."""

PLACES_FIELDS = (
    "places.id,places.displayName,places.formattedAddress,places.businessStatus,"
    "places.types,places.googleMapsUri"
)


class MapsClient(googlemaps.Client):
    """googlemaps.Client whose Address Validation base URL is configurable, whose requests pass
    the API's quota, and which sends each request once (googlemaps would retry 5xx and 429 until
    its retry_timeout: the task's retries are the one layer). googlemaps' `addressvalidation`
    passes its module constant as `base_url`; we swap that one value for ours."""

    def __init__(self, *, validation_base_url: str, rate: Limit, **kwargs: Any) -> None:
        super().__init__(requests_session=LimitedSession(rate), **kwargs)
        self.validation_base_url = validation_base_url.rstrip("/")
        self.last_status: int | None = None  # what googlemaps saw last, for its give-up error
        self.last_message = ""
        self.requests_kwargs["hooks"] = {"response": [self._saw]}

    def _saw(self, response: Any, *_args: Any, **_kwargs: Any) -> None:
        self.last_status = int(response.status_code)
        self.last_message = error_message(response) if response.status_code >= 400 else ""

    def gave_up(self, api: str, exc: Exception) -> CsflowsError:
        """googlemaps found no answer: our own fault as it was raised (the quota's, which
        googlemaps wraps in its TransportError), the status of a 5xx or 429, else the fault."""
        cause = getattr(exc, "base_exception", None)
        if isinstance(cause, CsflowsError):
            return cause
        status = self.last_status
        if status is not None and (status == 429 or status >= 500):
            return TransientApiError(api, self.last_message or "unavailable", status)
        return TransientApiError(api, f"no answer: {exc.__class__.__name__}")

    def _request(self, url: str, params: Any, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        call = dict(zip(_REQUEST_ARGS, args, strict=False)) | kwargs
        if call.get("retry_counter"):  # googlemaps would try again: the task does that
            raise googlemaps.exceptions.Timeout()
        if call.get("base_url") == gm_addressvalidation._ADDRESSVALIDATION_BASE_URL:
            call["base_url"] = self.validation_base_url
        if call.get("extract_body") is gm_addressvalidation._addressvalidation_extract:
            call["extract_body"] = _validation_extract
        return super()._request(url, params, **call)


_REQUEST_ARGS = (
    "first_request_time",
    "retry_counter",
    "base_url",
    "accepts_clientid",
    "extract_body",
    "requests_kwargs",
    "post_json",
)


def _validation_extract(response: Any) -> Any:
    """A 429 from Address Validation is over quota, as googlemaps reads a 5xx: transient."""
    body = gm_addressvalidation._addressvalidation_extract(response)
    if response.status_code == 429:
        raise googlemaps.exceptions._OverQueryLimit(429, str(body)[:200])
    return body


class MapsCredentials(Protocol):
    """What GoogleMaps reads of its credentials (the GoogleMapsCredentials block, blocks/)."""

    @property
    def api_key(self) -> SecretStr | None: ...
    @property
    def base_url(self) -> str: ...
    @property
    def address_validation_base_url(self) -> str: ...
    @property
    def places_base_url(self) -> str: ...
    @property
    def requests_per_second(self) -> float: ...


@dataclass
class GoogleMaps:
    """The three lookups the address criterion uses, with the credentials block's settings."""

    credentials: MapsCredentials
    cache_for: timedelta = timedelta(days=30)
    timeout: float = 10.0

    @property
    def configured(self) -> bool:
        key = self.credentials.api_key
        return bool(key and key.get_secret_value())

    def _key(self) -> str:
        assert self.credentials.api_key is not None
        return self.credentials.api_key.get_secret_value()

    def _rate(self, api: str) -> Limit:
        """Google counts each API's requests per project: at most `requests_per_second`."""
        return quota(api, self.credentials.requests_per_second)

    def _client(self, api: str) -> MapsClient:
        return MapsClient(
            key=self._key(),
            base_url=self.credentials.base_url.rstrip("/"),
            validation_base_url=self.credentials.address_validation_base_url,
            rate=self._rate(api),
            timeout=self.timeout,
            queries_per_second=max(1, int(self.credentials.requests_per_second)),
        )

    def validate(self, address: Address) -> tuple[dict[str, Any], bool]:
        """Address Validation (`enableUspsCass` for US and PR); (answer, from_cache)."""
        lines = address.lines()
        region = (address.country or "US").upper()
        cass = _wants_usps_cass(address)

        def fetch() -> dict[str, Any]:
            client = self._client("google.addressvalidation")
            try:
                body = gm_addressvalidation.addressvalidation(
                    client, lines, regionCode=region, enableUspsCass=cass or None
                )
            except (googlemaps.exceptions.Timeout, googlemaps.exceptions.TransportError) as exc:
                raise client.gave_up("google.addressvalidation", exc) from exc
            return _raise_error_body("google.addressvalidation", body)

        request_key = {"address": address.normalized(), "cass": cass}
        return self._cached("google.addressvalidation", request_key, fetch)

    def _web_service(self, api: str, call: Callable[[MapsClient], Any]) -> Any:
        """One googlemaps web-service call, its errors as ours: 429 and 5xx transient, other
        HTTP errors and API statuses (REQUEST_DENIED ...) not, timeouts after the retries."""
        client = self._client(api)
        try:
            return call(client)
        except googlemaps.exceptions.ApiError as exc:
            raise ApiError(api, f"{exc.status}: {exc.message}") from exc
        except googlemaps.exceptions.HTTPError as exc:
            status = int(exc.status_code)
            kind = TransientApiError if status == 429 or status >= 500 else ApiError
            raise kind(api, "HTTP error", status) from exc
        except (googlemaps.exceptions.Timeout, googlemaps.exceptions.TransportError) as exc:
            raise client.gave_up(api, exc) from exc

    def geocode(self, address: Address) -> tuple[list[dict[str, Any]], bool]:
        def fetch() -> list[dict[str, Any]]:
            return list(
                self._web_service("google.geocoding", lambda c: c.geocode(address.one_line()))
            )

        return self._cached("google.geocoding", {"address": address.normalized()}, fetch)

    def time_zone(self, address: Address) -> str | None:
        """The IANA time zone at the address: its point from the (cached) Address Validation
        answer the address check already got, else Geocoding; then the Time Zone API (cached).
        None when Google finds no place there."""
        point = self._point(address)
        if point is None:
            return None

        def fetch() -> dict[str, Any]:
            return dict(self._web_service("google.timezone", lambda c: c.timezone(point)))

        answer, _ = self._cached("google.timezone", {"location": point}, fetch)
        zone = answer.get("timeZoneId")
        return str(zone) if zone else None

    def _point(self, address: Address) -> tuple[float, float] | None:
        try:
            validation, _ = self.validate(address)
        except (ExternalError, ValueError):  # no validation answer: Geocoding has the point too
            validation = {}
        located = (((validation.get("result") or {}).get("geocode") or {}).get("location")) or {}
        if "latitude" in located and "longitude" in located:
            return round(float(located["latitude"]), 4), round(float(located["longitude"]), 4)
        results, _ = self.geocode(address)
        location = ((results[0] if results else {}).get("geometry") or {}).get("location")
        if not location:
            return None
        return round(float(location["lat"]), 4), round(float(location["lng"]), 4)

    def search_places(self, business: str, address: Address) -> tuple[list[dict[str, Any]], bool]:
        """Places API (New) Text Search for the business at the address."""
        text = f"{business}, {address.one_line()}"
        base = self.credentials.places_base_url.rstrip("/")

        def fetch() -> list[dict[str, Any]]:
            response = request(
                "google.places",
                "POST",
                f"{base}/v1/places:searchText",
                rate=self._rate("google.places"),
                timeout=self.timeout,
                json={"textQuery": text, "pageSize": 5},
                headers={"X-Goog-Api-Key": self._key(), "X-Goog-FieldMask": PLACES_FIELDS},
            )
            return list(response.json().get("places") or [])

        key = {"business": business.strip().lower(), "address": address.normalized()}
        return self._cached("google.places", key, fetch)

    def _cached(self, api: str, key: Any, fetch: Any) -> Any:
        return cached_lookup(api, key, fetch, self.cache_for)


def _raise_error_body(api: str, body: Any) -> dict[str, Any]:
    """googlemaps returns Address Validation's HTTP errors as ordinary dicts: raise them."""
    if not isinstance(body, dict):
        raise ApiError(api, f"unexpected answer {str(body)[:200]}")
    error = body.get("error")
    if error is None:
        return body
    if not isinstance(error, dict):
        raise ApiError(api, str(error)[:300])
    code = int(error.get("code") or 0)
    message = str(error.get("message") or error.get("status") or error)[:300]
    if code == 429 or code >= 500:
        raise TransientApiError(api, message, code)
    raise ApiError(api, message, code or None)


def _wants_usps_cass(address: Address) -> bool:
    """USPS CASS processing in Address Validation: only for US and Puerto Rico addresses."""
    return (address.country or "US").upper() in {"US", "PR"}
