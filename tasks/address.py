"""The physical-address criterion: Google Address Validation, Places (New) and Geocoding,
cached on the normalized address; an offline parse when no API key is configured."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from prefect import task

from blocks import GoogleMapsCredentials, resolve
from csflows.calendar import business_calendar
from csflows.clients.google import GoogleMaps
from csflows.errors import ExternalError
from csflows.models import CheckResult, NewCustomerInquiry
from csflows.vetting.criteria.address import address_verdict, offline_verdict
from csflows.vetting.policy import vetting_policy
from csflows.vetting.timezones import zone_for_region
from tasks.checks import CHECK_RETRIES


def maps_client() -> GoogleMaps:
    lookups = vetting_policy().lookups
    return GoogleMaps(
        resolve(GoogleMapsCredentials),
        timedelta(days=lookups.cache_days),
        timeout=lookups.timeout_seconds,
        retry_timeout=lookups.google_retry_seconds,
    )


@task(name="customer-time-zone", **CHECK_RETRIES)
def customer_time_zone(form: NewCustomerInquiry) -> str:
    """The new customer's time zone: Google's for the geocoded address, else the zone of the
    address's state or province, else the business calendar's."""
    fallback = zone_for_region(form.address.region, business_calendar().timezone)
    maps = maps_client()
    if not maps.configured:
        return fallback
    try:
        return maps.time_zone(form.address) or fallback
    except (ExternalError, ValueError) as exc:  # a refused or garbled answer must not stop
        # the customer's creation: the state's zone is a good answer too
        logging.getLogger(__name__).warning(
            "time zone lookup refused (%s): using %s", exc, fallback
        )
        return fallback


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
