"""A new customer's time zone from their address, so retention calls and visits land in their
business hours. Without a geocoded answer, the state or province decides: each one's most
populous zone (a state split between zones gets the zone most of its people live in)."""

from __future__ import annotations

_BY_REGION = {
    "America/New_York": "CT DC DE FL GA IN KY MA MD ME MI NC NH NJ NY OH PA RI SC VA VT WV",
    "America/Chicago": "AL AR IA IL KS LA MN MO MS ND NE OK SD TN TX WI",
    "America/Denver": "CO ID MT NM UT WY",
    "America/Phoenix": "AZ",
    "America/Los_Angeles": "CA NV OR WA",
    "America/Anchorage": "AK",
    "Pacific/Honolulu": "HI",
    "America/Puerto_Rico": "PR VI",
    "America/Toronto": "ON QC",
    "America/Halifax": "NS NB PE",
    "America/St_Johns": "NL",
    "America/Winnipeg": "MB",
    "America/Regina": "SK",
    "America/Edmonton": "AB",
    "America/Vancouver": "BC",
}
ZONE_OF_REGION = {code: zone for zone, codes in _BY_REGION.items() for code in codes.split()}


def zone_for_region(region: str | None, fallback: str) -> str:
    """The IANA zone of a US state or Canadian province code; `fallback` when unknown."""
    return ZONE_OF_REGION.get((region or "").strip().upper(), fallback)
