"""The physical-address criterion: Google Address Validation, Places (New) and Geocoding,
cached on the normalized address; an offline parse when no API key is configured."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from prefect import task

from blocks import GoogleMapsCredentials, resolve
from csflows.clients.google import GoogleMaps
from csflows.models import CheckResult, NewCustomerInquiry
from csflows.vetting.criteria.address import address_verdict, offline_verdict
from csflows.vetting.policy import vetting_policy
from tasks.checks import CHECK_RETRIES


def maps_client() -> GoogleMaps:
    lookups = vetting_policy().lookups
    return GoogleMaps(
        resolve(GoogleMapsCredentials),
        timedelta(days=lookups.cache_days),
        timeout=lookups.timeout_seconds,
        retry_timeout=lookups.google_retry_seconds,
    )


@task(name="check-address", **CHECK_RETRIES)
def check_address(form: NewCustomerInquiry) -> CheckResult:
    maps = maps_client()
    if not maps.configured:
        return offline_verdict(form)
    name = form.business_name or form.dba or ""
    with ThreadPoolExecutor(2, thread_name_prefix="address") as pool:  # both at once
        searching = pool.submit(maps.search_places, name, form.address)
        validation, cached = maps.validate(form.address)
        places, places_cached = searching.result()
    calls = int(not cached) + int(not places_cached)
    geocode = None
    if not (validation.get("result") or {}).get("metadata"):
        geocode, cached = maps.geocode(form.address)
        calls += not cached
    result = address_verdict(
        form, validation, places, geocode, vetting_policy().address.places_name_score
    )
    result.api_calls = calls
    return result
