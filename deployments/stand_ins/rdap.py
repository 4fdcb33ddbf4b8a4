"""RDAP domain answers (RFC 9083) as registries give them."""

from __future__ import annotations

from typing import Any


def domain(name: str, registered: str) -> dict[str, Any]:
    return {
        "objectClassName": "domain",
        "handle": "2336799_DOMAIN_COM-VRSN",
        "ldhName": name.upper(),
        "status": ["client transfer prohibited"],
        "events": [
            {"eventAction": "registration", "eventDate": registered},
            {"eventAction": "expiration", "eventDate": "2030-08-13T04:00:00Z"},
            {"eventAction": "last update of RDAP database", "eventDate": "2026-11-23T09:00:00Z"},
        ],
        "rdapConformance": ["rdap_level_0"],
    }


NOT_FOUND = {"errorCode": 404, "title": "Not Found", "description": ["Domain not found"]}
