"""Is the New Customer Inquiry Form complete (seed 001)? Every missing or invalid field at once,
each with a reason the applicant understands, keyed by the form's JSON names."""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import urlsplit

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from csflows.divisions import divisions
from csflows.errors import DivisionNotFound
from csflows.models import MissingField, NewCustomerInquiry

REQUIRED_ADDRESS = ("street", "city", "postal_code", "country")
REGION_REQUIRED_IN = {"US", "CA", "AU", "MX", "BR"}

POSTAL_CODES = {
    "US": (re.compile(r"^\d{5}(-\d{4})?$"), "a 5-digit ZIP code such as 60601 or 60601-1234"),
    "PR": (re.compile(r"^00\d{3}(-\d{4})?$"), "a 5-digit ZIP code starting 00"),
    "CA": (re.compile(r"^[A-Z]\d[A-Z] ?\d[A-Z]\d$", re.I), "a postal code such as K1A 0B1"),
    "GB": (re.compile(r"^[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}$", re.I), "a postcode such as SW1A 1AA"),
    "MX": (re.compile(r"^\d{5}$"), "a 5-digit código postal"),
    "DE": (re.compile(r"^\d{5}$"), "a 5-digit Postleitzahl"),
    "AU": (re.compile(r"^\d{4}$"), "a 4-digit postcode"),
}
LOOSE_POSTAL_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 -]{1,9}$")


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def email_problem(email: str) -> str | None:
    """Syntax only (no DNS): the applicant's typo, not their mail server, is what we catch."""
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError as exc:
        return f"is not a valid email address ({exc})"
    return None


def phone_problem(phone: str, country: str | None) -> str | None:
    region = (country or "US").upper()
    try:
        number = phonenumbers.parse(phone, region)
    except phonenumbers.NumberParseException:
        return "is not a phone number we can dial; include the area code"
    if not phonenumbers.is_valid_number(number):
        return f"is not a valid phone number for {region}; check the area code and digits"
    return None


def website_problem(website: str) -> str | None:
    url = website if "://" in website else f"https://{website}"
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.scheme not in {"http", "https"} or " " in website:
        return "must be a web address such as https://www.example.com"
    if "." not in host or not re.fullmatch(r"[A-Za-z0-9.-]+", host) or host.endswith("."):
        return "must be a web address such as https://www.example.com"
    return None


def postal_code_problem(postal_code: str, country: str | None) -> str | None:
    pattern, example = POSTAL_CODES.get((country or "US").upper(), (LOOSE_POSTAL_CODE, ""))
    if pattern.match(postal_code.strip()):
        return None
    return f"is not {example}" if example else "is not a valid postal code"


def _address_problems(form: NewCustomerInquiry) -> Iterable[MissingField]:
    address = form.address
    for part in REQUIRED_ADDRESS:
        if _blank(getattr(address, part)):
            yield MissingField(field=f"address.{part}", reason=f"please give the {_words(part)}")
    country = (address.country or "").upper()
    if country and country not in phonenumbers.SUPPORTED_REGIONS:
        yield MissingField(
            field="address.country",
            reason="must be a two-letter country code such as US or CA",
        )
        return
    if _blank(address.region) and country in REGION_REQUIRED_IN:
        yield MissingField(field="address.region", reason="please give the state or province")
    if not _blank(address.postal_code):
        problem = postal_code_problem(address.postal_code or "", country)
        if problem:
            yield MissingField(field="address.postal_code", reason=problem)


def _words(key: str) -> str:
    return {"postal_code": "postal (ZIP) code", "street": "street address"}.get(
        key, key.replace("_", " ")
    )


def missing_fields(
    form: NewCustomerInquiry, unreadable: Iterable[MissingField] = ()
) -> list[MissingField]:
    """Every field that is missing or invalid, in the form's order; empty when complete.

    `unreadable` are the values the form reader could not fit (csflows.vetting.forms.reading); their reasons win.
    """
    out: list[MissingField] = []

    def need(key: str, reason: str) -> None:
        out.append(MissingField(field=key, reason=reason))

    if _blank(form.business_name):
        need("business_name", "please give the legal name of the business")
    if _blank(form.contact_name):
        need("contact_name", "please give the name of the person we should contact")
    if _blank(form.email):
        need("email", "please give an email address")
    elif problem := email_problem(form.email or ""):
        need("email", problem)
    if _blank(form.phone):
        need("phone", "please give a phone number")
    elif problem := phone_problem(form.phone or "", form.address.country):
        need("phone", problem)
    out.extend(_address_problems(form))
    if _blank(form.website):
        need("website", "please give the business's website address")
    elif problem := website_problem(form.website or ""):
        need("website", problem)
    if form.sells_on_amazon is None:
        need("sells_on_amazon", "please answer yes or no: do you sell on Amazon (FBA or FBM)?")
    elif form.sells_on_amazon and _blank(form.amazon_storefront):
        need(
            "amazon_storefront", "you sell on Amazon: please give the storefront name or seller id"
        )
    if _blank(form.division):
        need("division", "please choose the division you want to buy from")
    else:
        try:
            divisions().get(form.division or "")
        except DivisionNotFound:
            known = ", ".join(d.name for d in divisions().divisions)
            need("division", f"is not one of our divisions ({known})")
    if not [line for line in form.product_lines if line.strip()]:
        need("product_lines", "please list the product lines you want to buy")
    if _blank(form.current_products):
        need("current_products", "please tell us which products your business sells today")
    if form.store_type is None:
        need("store_type", "please choose physical store, online, or both")
    if form.first_order_amount is None:
        need("first_order_amount", "please give the amount of your first order in US dollars")
    elif form.first_order_amount <= 0:
        need("first_order_amount", "must be more than $0")
    if form.annual_purchases is None:
        need("annual_purchases", "please give your expected purchases per year in US dollars")
    elif form.annual_purchases <= 0:
        need("annual_purchases", "must be more than $0")
    if form.payment_method is None:
        need("payment_method", "please choose credit card or payment terms")
    if _blank(form.tax_id):
        need("tax_id", "please give your resale certificate or tax id number")
    first = list(unreadable)
    seen = {m.field for m in first}
    return first + [m for m in out if m.field not in seen]
