"""Google Maps Platform answers in their documented JSON shapes (Address Validation, Places
API (New), Geocoding, Time Zone), for a local HTTP server standing in for Google."""

from __future__ import annotations

from typing import Any

from deployments.stand_ins.servers import Request

ADDRESS = "233 S Wacker Dr Ste 400, Chicago, IL 60606-6306, USA"
CHICAGO = (41.8788764, -87.6359149)


def validation(
    metadata: dict[str, bool] | None = None,
    *,
    street: str = "233 S Wacker Dr Ste 400",
    city: str = "Chicago",
    region: str = "IL",
    postal_code: str = "60606-6306",
    location: tuple[float, float] = CHICAGO,
    **usps: str,
) -> dict[str, Any]:
    """An Address Validation `v1:validateAddress` response (enableUspsCass on) for a US address
    (a suite in Chicago unless told); `usps` overrides fields of its uspsData."""
    formatted = f"{street}, {city}, {region} {postal_code}, USA"
    zip_code, _, extension = postal_code.partition("-")
    result: dict[str, Any] = {
        "verdict": {
            "inputGranularity": "SUB_PREMISE",
            "validationGranularity": "SUB_PREMISE",
            "geocodeGranularity": "SUB_PREMISE",
            "addressComplete": True,
            "hasInferredComponents": True,
        },
        "address": {
            "formattedAddress": formatted,
            "postalAddress": {
                "regionCode": "US",
                "languageCode": "en",
                "postalCode": postal_code,
                "administrativeArea": region,
                "locality": city,
                "addressLines": [street],
            },
            "addressComponents": [],
        },
        "geocode": {
            "location": {"latitude": location[0], "longitude": location[1]},
            "plusCode": {"globalCode": "86HJV9HF+HJ"},
            "placeId": "ChIJ5Vq7F7wsDogRpo0g4gjJb2s",
            "placeTypes": ["subpremise"],
        },
        "uspsData": {
            "standardizedAddress": {
                "firstAddressLine": street.upper(),
                "cityStateZipAddressLine": f"{city.upper()} {region} {postal_code}",
                "city": city.upper(),
                "state": region,
                "zipCode": zip_code,
                "zipCodeExtension": extension,
            },
            "deliveryPointCode": "00",
            "deliveryPointCheckDigit": "4",
            "dpvConfirmation": "Y",
            "dpvFootnote": "AABB",
            "dpvCmra": "N",
            "dpvVacant": "N",
            "dpvNoStat": "N",
            "carrierRoute": "C001",
            "postOfficeCity": city.upper(),
            "postOfficeState": region,
            "addressRecordType": "H",
            **usps,
        },
    }
    if metadata is not None:
        result["metadata"] = metadata
    return {"result": result, "responseId": "e7f4c1a2-0b1d-4a5e-9d3c-2f1e0a9b8c7d"}


def unplaced(formatted: str) -> dict[str, Any]:
    """An Address Validation response for an address Google cannot place (no metadata)."""
    granularity = dict.fromkeys(
        ("inputGranularity", "validationGranularity", "geocodeGranularity"), "OTHER"
    )
    return {
        "result": {
            "verdict": {**granularity, "addressComplete": False},
            "address": {"formattedAddress": formatted, "addressComponents": []},
        },
        "responseId": "0c9d7e6f-5a4b-4c3d-8e2f-1a0b9c8d7e6f",
    }


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


def geocode(
    types: list[str], formatted: str = ADDRESS, location: tuple[float, float] = CHICAGO
) -> dict[str, Any]:
    """A Geocoding API response: one place (in Chicago unless told)."""
    return {
        "results": [
            {
                "formatted_address": formatted,
                "geometry": {
                    "location": {"lat": location[0], "lng": location[1]},
                    "location_type": "ROOFTOP",
                },
                "place_id": "ChIJ5Vq7F7wsDogRpo0g4gjJb2s",
                "types": types,
                "address_components": [],
            }
        ],
        "status": "OK",
    }


NO_RESULTS = {"results": [], "status": "ZERO_RESULTS"}


def environment(base_url: str) -> dict[str, str]:
    """Point every Google API of the GoogleMapsCredentials block at a local server."""
    return {
        "CSFLOWS_GOOGLE_MAPS_API_KEY": "AIzaSyTest-local-only",
        "CSFLOWS_GOOGLE_MAPS_BASE_URL": base_url,
        "CSFLOWS_ADDRESS_VALIDATION_BASE_URL": base_url,
        "CSFLOWS_PLACES_BASE_URL": base_url,
    }


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
