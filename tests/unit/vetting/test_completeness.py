"""Completeness of the New Customer Inquiry Form: every problem at once, keyed by JSON name."""

from __future__ import annotations

from csflows.models import MissingField, NewCustomerInquiry
from csflows.vetting.criteria.completeness import missing_fields
from tests.support.inquiries import inquiry


def _fields(form: NewCustomerInquiry) -> dict[str, str]:
    return {m.field: m.reason for m in missing_fields(form)}


def test_complete_form_has_nothing_missing() -> None:
    assert missing_fields(inquiry()) == []


def test_empty_form_lists_every_required_field_at_once() -> None:
    fields = _fields(NewCustomerInquiry())
    assert set(fields) == {
        "business_name",
        "contact_name",
        "email",
        "phone",
        "address.street",
        "address.city",
        "address.region",
        "address.postal_code",
        "website",
        "sells_on_amazon",
        "division",
        "product_lines",
        "current_products",
        "store_type",
        "first_order_amount",
        "annual_purchases",
        "payment_method",
        "tax_id",
    }
    assert "dba" not in fields and "address.unit" not in fields  # optional on the form


def test_invalid_values_have_reasons_a_customer_understands() -> None:
    fields = _fields(
        inquiry(
            email="ana@@paper",
            phone="555-01",
            website="not a site",
            address={"postal_code": "6060"},
            first_order_amount=0,
        )
    )
    assert fields["email"].startswith("is not a valid email address")
    assert "phone number" in fields["phone"]
    assert "web address" in fields["website"]
    assert "ZIP code" in fields["address.postal_code"]
    assert fields["first_order_amount"] == "must be more than $0"


def test_phone_is_checked_for_the_address_country() -> None:
    canadian = {"country": "CA", "region": "ON", "postal_code": "K1A 0B1", "city": "Ottawa"}
    assert missing_fields(inquiry(phone="613 555 0199", address=canadian)) == []
    assert "phone" in _fields(inquiry(phone="020 7946 0018", address=canadian))


def test_postal_codes_per_country() -> None:
    assert "address.postal_code" in _fields(
        inquiry(address={"country": "CA", "region": "ON", "postal_code": "60606"})
    )
    assert "address.postal_code" not in _fields(
        inquiry(address={"country": "CA", "region": "ON", "postal_code": "k1a0b1"})
    )
    # elsewhere only a loose shape is asked for, and no region
    loose = inquiry(
        phone="+33 1 42 68 53 00",
        address={"country": "FR", "region": None, "postal_code": "75008", "city": "Paris"},
    )
    assert missing_fields(loose) == []
    assert _fields(inquiry(address={"country": "XX"}))["address.country"].startswith(
        "must be a two-letter country code"
    )


def test_storefront_required_when_selling_on_amazon() -> None:
    assert "amazon_storefront" in _fields(inquiry(sells_on_amazon=True))
    assert "amazon_storefront" not in _fields(
        inquiry(sells_on_amazon=True, amazon_storefront="PaperLanternUS")
    )


def test_unknown_division_names_the_known_ones() -> None:
    reason = _fields(inquiry(division="Garden Gnomes"))["division"]
    assert "Craft & Hobby" in reason and "Floating Luxuries" in reason


def test_unreadable_values_keep_their_reason() -> None:
    form = inquiry(first_order_amount=None)
    problem = MissingField(field="first_order_amount", reason="must be an amount in US dollars")
    result = missing_fields(form, [problem])
    assert [m for m in result if m.field == "first_order_amount"] == [problem]
