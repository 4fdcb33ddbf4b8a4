"""Google Maps Platform answers in their documented JSON shapes, for the local HTTP server."""

from __future__ import annotations

from typing import Any

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
