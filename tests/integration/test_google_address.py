"""The address criterion against a local server speaking Google's documented JSON: Address
Validation (through googlemaps), Places API (New) Text Search, Geocoding; errors, retries, cache."""

from __future__ import annotations

from datetime import timedelta

import pytest

from blocks import GoogleMapsCredentials, resolve
from csflows.clients.google import GoogleMaps
from csflows.errors import ApiError, TransientApiError
from csflows.models import Verdict
from tasks.vetting import check_address, customer_time_zone
from tests.support import google
from tests.support.inquiries import inquiry
from tests.support.servers import HttpServer, Reply

pytestmark = pytest.mark.integration

VALIDATE = "/v1:validateAddress"
PLACES = "/v1/places:searchText"
GEOCODE = "/maps/api/geocode/json"


@pytest.fixture
def maps(
    http_server: HttpServer, monkeypatch: pytest.MonkeyPatch, store_ready: object
) -> HttpServer:
    for key, value in google.environment(http_server.url).items():
        monkeypatch.setenv(key, value)
    http_server.route("POST", PLACES, Reply(200, {}))
    http_server.route("GET", GEOCODE, Reply(200, google.geocode(["premise"])))
    return http_server


def _check(maps: HttpServer, validation: dict, places: dict | None = None):  # type: ignore[no-untyped-def]
    maps.route("POST", VALIDATE, Reply(200, validation))
    if places is not None:
        maps.route("POST", PLACES, Reply(200, places))
    return check_address.fn(inquiry())


def test_business_address_passes_and_sends_what_google_documents(maps: HttpServer) -> None:
    result = _check(
        maps, google.validation({"business": True, "residential": False, "poBox": False})
    )
    assert result.verdict is Verdict.PASS and result.api_calls == 2
    sent = maps.calls(VALIDATE)[0]
    assert sent.query["key"] == ["AIzaSyTest-local-only"]
    assert sent.json() == {
        "address": {
            "addressLines": ["233 S Wacker Dr Suite 400", "Chicago IL 60606"],
            "regionCode": "US",
        },
        "enableUspsCass": True,
    }
    search = maps.calls(PLACES)[0]
    assert search.headers["X-Goog-Api-Key"] == "AIzaSyTest-local-only"
    assert "places.businessStatus" in search.headers["X-Goog-FieldMask"]
    assert search.json()["textQuery"].startswith("Paper Lantern Crafts LLC, 233 S Wacker Dr")


@pytest.mark.parametrize(
    ("validation", "reason"),
    [
        (
            google.validation({"business": False, "residential": True, "poBox": False}),
            "residential",
        ),
        (google.validation({"poBox": True}, addressRecordType="P"), "PO box"),
        (google.validation({"business": True}, dpvCmra="Y"), "commercial mail receiving agency"),
        (google.validation({"business": True}, dpvVacant="Y"), "vacant"),
    ],
)
def test_disqualifying_addresses_fail(maps: HttpServer, validation: dict, reason: str) -> None:
    result = _check(maps, validation, google.places("Paper Lantern"))
    assert result.verdict is Verdict.FAIL
    assert any(reason in e.fact for e in result.evidence)


def test_unknown_metadata_asks_geocoding_and_places_can_confirm(maps: HttpServer) -> None:
    result = _check(maps, google.validation(None), google.places("Paper Lantern Crafts"))
    assert result.verdict is Verdict.PASS and len(maps.calls(GEOCODE)) == 1
    assert any(e.source == "google.places" and "operates at" in e.fact for e in result.evidence)


def test_unknown_metadata_without_a_business_there_is_review(maps: HttpServer) -> None:
    closed = google.places("Paper Lantern Crafts", status="CLOSED_PERMANENTLY")
    result = _check(maps, google.validation(None), closed)
    assert result.verdict is Verdict.REVIEW
    assert any("CLOSED_PERMANENTLY" in e.fact for e in result.evidence)


def test_same_address_costs_one_call(maps: HttpServer) -> None:
    validation = google.validation({"business": True})
    assert _check(maps, validation).api_calls == 2
    assert check_address.fn(inquiry(address={"street": "233 S. WACKER DR."})).api_calls == 0
    assert len(maps.calls(VALIDATE)) == 1 and len(maps.calls(PLACES)) == 1


def _client() -> GoogleMaps:
    return GoogleMaps(resolve(GoogleMapsCredentials), timedelta(days=1), timeout=0.5)


def test_403_error_body_is_an_error_not_an_answer(maps: HttpServer) -> None:
    body = google.error(403, "API key not valid. Please pass a valid API key.", "PERMISSION_DENIED")
    maps.route("POST", VALIDATE, Reply(403, body))
    with pytest.raises(ApiError, match=r"API key not valid.*\(HTTP 403\)") as err:
        _client().validate(inquiry().address)
    assert not isinstance(err.value, TransientApiError) and len(maps.calls(VALIDATE)) == 1


@pytest.mark.parametrize("status", [429, 500, 503])
def test_429_or_5xx_is_transient_sent_once_and_named(maps: HttpServer, status: int) -> None:
    """googlemaps would retry these for its retry_timeout; the task's retries are the one layer."""
    maps.route("POST", VALIDATE, Reply(status, google.error(status, "try again", "UNAVAILABLE")))
    with pytest.raises(TransientApiError, match=rf"addressvalidation: try again \(HTTP {status}\)"):
        _client().validate(inquiry().address)
    assert len(maps.calls(VALIDATE)) == 1


def test_a_timeout_is_transient(maps: HttpServer) -> None:
    maps.route("POST", VALIDATE, Reply(200, google.validation({"business": True}), delay=1.5))
    with pytest.raises(TransientApiError, match="google.addressvalidation: no answer: Timeout"):
        _client().validate(inquiry().address)


def test_places_error_names_api_and_message(maps: HttpServer) -> None:
    maps.route("POST", VALIDATE, Reply(200, google.validation(None)))
    body = google.error(
        403, "Places API (New) has not been used in project 123", "PERMISSION_DENIED"
    )
    maps.route("POST", PLACES, Reply(403, body))
    with pytest.raises(ApiError, match=r"google.places: Places API \(New\) has not been used"):
        check_address.fn(inquiry())


def test_no_api_key_parses_offline(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CSFLOWS_GOOGLE_MAPS_API_KEY", raising=False)
    assert check_address.fn(inquiry()).verdict is Verdict.REVIEW
    assert check_address.fn(inquiry(address={"street": "PO Box 881"})).verdict is Verdict.FAIL


TIMEZONE = "/maps/api/timezone/json"
CHICAGO_ZONE = {
    "dstOffset": 0,
    "rawOffset": -21600,
    "status": "OK",
    "timeZoneId": "America/Chicago",
    "timeZoneName": "Central Standard Time",
}


def test_a_new_customers_time_zone_comes_from_google_and_is_cached(maps: HttpServer) -> None:
    """The address says New York (the fallback's answer) but Google places it in Chicago."""
    maps.route("GET", TIMEZONE, Reply(200, CHICAGO_ZONE))
    form = inquiry()
    form = form.model_copy(update={"address": form.address.model_copy(update={"region": "NY"})})
    assert customer_time_zone.fn(form) == "America/Chicago"
    assert customer_time_zone.fn(form) == "America/Chicago"
    [asked] = maps.calls(TIMEZONE)  # the second answer came from the cache
    assert asked.query["location"] == ["41.8789,-87.6359"]


def test_without_a_key_the_time_zone_is_the_states(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CSFLOWS_GOOGLE_MAPS_API_KEY", raising=False)
    form = inquiry()
    west = form.model_copy(update={"address": form.address.model_copy(update={"region": "CA"})})
    assert customer_time_zone.fn(west) == "America/Los_Angeles"


def test_a_refused_time_zone_lookup_falls_back_to_the_state(maps: HttpServer) -> None:
    maps.route("GET", TIMEZONE, Reply(200, {"status": "REQUEST_DENIED", "errorMessage": "no"}))
    assert customer_time_zone.fn(inquiry()) == "America/Chicago"  # Illinois


def test_a_time_zone_api_that_answers_no_json_falls_back_to_the_state(maps: HttpServer) -> None:
    """The local server has no Time Zone route here: a 404 with a non-JSON body, as a proxy or a
    wrong base URL would give. The customer is still created, in the state's zone."""
    assert customer_time_zone.fn(inquiry()) == "America/Chicago"
