"""Physical-address criterion (seed 001): a commercial place of business, not a home, PO box,
mail drop (CMRA) or vacant address. Reads Google's answers; decides nothing without evidence."""

from __future__ import annotations

import re
from typing import Any

from rapidfuzz import fuzz, utils

from csflows.models import CheckResult, Evidence, NewCustomerInquiry, Verdict

PO_BOX = re.compile(
    r"\b(?:p\.?\s*o\.?\s*box|post\s+office\s+box|p\.?\s*o\.?\s*b\.?\s*\d|postal\s+box|box\s+\d+\b|lock\s*box|caller\s+box)",
    re.I,
)
PRIVATE_MAILBOX = re.compile(r"\b(?:pmb|private\s+mail\s*box)\b|#\s*\d+\s*$", re.I)
HOME_UNIT = re.compile(r"\b(?:apt|apartment|flat|lot|trailer|bsmt|basement)\b\.?", re.I)
BUSINESS_UNIT = re.compile(r"\b(?:ste|suite|unit|bldg|building|floor|fl|dept|store)\b\.?", re.I)
STREET_NUMBER = re.compile(r"^\s*(\d+[A-Za-z]?)\b")


def _tri(value: Any) -> bool | None:
    """Address Validation's metadata booleans: absent means unknown, not false."""
    return value if isinstance(value, bool) else None


def offline_verdict(form: NewCustomerInquiry) -> CheckResult:
    """With no API key: a PO box fails; anything else needs a person (never pass)."""
    text = " ".join(p for p in (form.address.street, form.address.unit) if p)
    evidence = [
        Evidence(source="offline", fact="no Google Maps API key: the address was only parsed")
    ]
    if PO_BOX.search(text):
        evidence.append(Evidence(source="offline", fact=f"{text!r} is a PO box"))
        return CheckResult(
            criterion="address", verdict=Verdict.FAIL, evidence=evidence, reason=evidence[-1].fact
        )
    if PRIVATE_MAILBOX.search(text):
        evidence.append(
            Evidence(source="offline", fact=f"{text!r} looks like a private mailbox (PMB)")
        )
    elif HOME_UNIT.search(text):
        evidence.append(
            Evidence(source="offline", fact=f"{text!r} has an apartment-style unit: may be a home")
        )
    elif BUSINESS_UNIT.search(text):
        evidence.append(Evidence(source="offline", fact=f"{text!r} has a suite/unit designator"))
    evidence.append(
        Evidence(source="offline", fact="a person must confirm it is a place of business")
    )
    reason = f"{evidence[0].fact}; {evidence[-1].fact}"
    return CheckResult(
        criterion="address", verdict=Verdict.REVIEW, evidence=evidence, reason=reason
    )


def place_matches(
    place: dict[str, Any], form: NewCustomerInquiry, min_score: float = 85
) -> float | None:
    """The name score when a Places (New) result is the applicant's business at that street number."""
    name = (place.get("displayName") or {}).get("text", "")
    names = [n for n in (form.business_name, form.dba) if n]
    score = max(
        (fuzz.token_set_ratio(name, n, processor=utils.default_process) for n in names),
        default=0.0,
    )
    number = STREET_NUMBER.match(form.address.street or "")
    formatted = place.get("formattedAddress", "")
    if number and not re.search(rf"\b{re.escape(number.group(1))}\b", formatted):
        return None
    return float(score) if score >= min_score else None


def address_verdict(
    form: NewCustomerInquiry,
    validation: dict[str, Any],
    places: list[dict[str, Any]] | None = None,
    geocode: list[dict[str, Any]] | None = None,
    min_name_score: float = 85,
) -> CheckResult:
    """fail: residential, PO box, CMRA, vacant. pass: business confirmed and not residential."""
    result = validation.get("result") or {}
    meta = result.get("metadata") or {}
    usps = result.get("uspsData") or {}
    formatted = (result.get("address") or {}).get("formattedAddress") or form.address.one_line()
    link = "https://www.google.com/maps/search/?api=1&query=" + re.sub(r"\s+", "+", formatted)
    business, residential, po_box = (
        _tri(meta.get(k)) for k in ("business", "residential", "poBox")
    )
    evidence: list[Evidence] = []
    source = "google.addressvalidation"
    fails: list[str] = []
    for flag, label in ((business, "business"), (residential, "residential"), (po_box, "PO box")):
        state = "unknown" if flag is None else "yes" if flag else "no"
        evidence.append(Evidence(source=source, fact=f"{label}: {state} ({formatted})", link=link))
    if residential:
        fails.append("a residential address")
    if po_box or usps.get("addressRecordType") == "P" or PO_BOX.search(form.address.street or ""):
        fails.append("a PO box")
    if usps.get("dpvCmra") == "Y":
        fails.append("a commercial mail receiving agency (mailbox service, USPS CMRA)")
    if usps.get("dpvVacant") == "Y":
        fails.append("vacant according to USPS")
    for reason in fails:
        evidence.append(
            Evidence(
                source="usps" if "USPS" in reason else source,
                fact=f"the address is {reason}",
                link=link,
            )
        )
    confirmed = bool(business)
    for place in places or []:
        score = place_matches(place, form, min_name_score)
        status = place.get("businessStatus", "")
        if score is not None and status == "OPERATIONAL":
            confirmed = True
            evidence.append(
                Evidence(
                    source="google.places",
                    fact=f"{place['displayName']['text']!r} operates at {place.get('formattedAddress', '')} (name match {score:.0f}%)",
                    link=place.get("googleMapsUri"),
                )
            )
            break
        if score is not None:
            evidence.append(
                Evidence(
                    source="google.places",
                    fact=f"{place['displayName']['text']!r} is listed there but {status or 'status unknown'}",
                    link=place.get("googleMapsUri"),
                )
            )
    if places is not None and not confirmed:
        evidence.append(
            Evidence(
                source="google.places",
                fact="no operating business of that name found at the address",
            )
        )
    for hit in geocode or []:
        types = ", ".join(hit.get("types", [])) or "no types"
        evidence.append(
            Evidence(source="google.geocoding", fact=f"{hit.get('formatted_address', '')}: {types}")
        )
        break
    reason = ""
    if fails:
        verdict, reason = Verdict.FAIL, f"the address is {fails[0]}"
    elif confirmed and residential is not True:
        verdict = Verdict.PASS
    else:
        verdict = Verdict.REVIEW
        reason = (
            "no operating business of that name is confirmed at the address"
            if not confirmed
            else "business: yes, but residential: unknown"
        )
    return CheckResult(criterion="address", verdict=verdict, evidence=evidence, reason=reason)
