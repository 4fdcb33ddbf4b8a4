"""The labelled answers of a form read as text (a PDF's text layer or OCR): `Business name: ...`
lines become the inquiry form's keys. Only what is written after a known label is taken; a
value is never guessed, and a label with nothing after it is not an answer."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from csflows.vetting.forms.pdf import LABELS, form_fields

# Short labels printed forms commonly use, besides the fillable form's own (pdf.LABELS).
COMMON_LABELS: dict[str, str] = {
    "business name": "business_name",
    "company": "business_name",
    "company name": "business_name",
    "dba": "dba",
    "contact": "contact_name",
    "name": "contact_name",
    "email": "email",
    "e mail": "email",
    "email address": "email",
    "phone": "phone",
    "telephone": "phone",
    "phone number": "phone",
    "website": "website",
    "web site": "website",
    "address": "address",
    "street address": "address.street",
    "street": "address.street",
    "suite": "address.unit",
    "unit": "address.unit",
    "city": "address.city",
    "state": "address.region",
    "province": "address.region",
    "zip": "address.postal_code",
    "zip code": "address.postal_code",
    "postal code": "address.postal_code",
    "country": "address.country",
    "amazon storefront": "amazon_storefront",
    "sells on amazon": "sells_on_amazon",
    "division": "division",
    "product lines": "product_lines",
    "store type": "store_type",
    "first order": "first_order_amount",
    "annual purchases": "annual_purchases",
    "payment method": "payment_method",
    "tax id": "tax_id",
}
# `12 Harbor St, Portland, OR 97201` (a US or Canadian address on one line).
ONE_LINE_ADDRESS = re.compile(
    r"^(?P<street>[^,]+),\s*(?P<city>[^,]+),\s*(?P<region>[A-Za-z]{2})\.?\s+"
    r"(?P<postal_code>\d{5}(?:-\d{4})?|[A-Za-z]\d[A-Za-z] ?\d[A-Za-z]\d)$"
)


def normal(label: str) -> str:
    """`Postal (ZIP) code:` -> `postal zip code`: how labels are compared."""
    return " ".join(re.findall(r"[a-z0-9]+", label.lower()))


def known_labels(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """Normalised label -> form key: the fillable form's labels, common ones, and `extra`
    (a division's own form's printed labels, config/divisions.yaml `form_fields`)."""
    out = {normal(key.replace(".", " ")): key for key in LABELS}
    out |= {normal(label): key for key, label in LABELS.items()}
    out |= COMMON_LABELS
    out |= {normal(label): key for label, key in (extra or {}).items()}
    return {label: key for label, key in out.items() if label}


def choice_value(key: str, value: str) -> str:
    """A choice question's answer as the form's value (`Credit card` -> `credit_card`) when it is
    one of the choices; else as written, so the form's check says what is wrong."""
    choices = next((f.choices for f in form_fields() if f.name == key), ())
    wanted = normal(value).replace(" ", "_")
    return wanted if wanted in choices else value


def labelled_answers(text: str, labels: Mapping[str, str] | None = None) -> dict[str, str]:
    """Flat form keys (`address.city`) -> the text written after their label, first one wins.

    A line counts when it starts with a known label followed by a colon (`Email: a@b.example`);
    the longest label wins (`Email address:` over `Email:`)."""
    known = dict(labels) if labels is not None else known_labels()
    found: dict[str, str] = {}
    for line in text.splitlines():
        label, sep, value = line.partition(":")
        if not sep:
            continue
        key = known.get(normal(label))
        value = " ".join(value.split()).strip(" _")
        if key is None or not value or key in found:
            continue
        found[key] = choice_value(key, value)
    if "address" in found:
        found |= {k: v for k, v in _address_line(found.pop("address")).items() if k not in found}
    return found


def _address_line(line: str) -> dict[str, str]:
    """The parts of a one-line address, only when the whole line has the expected shape."""
    match = ONE_LINE_ADDRESS.match(line.strip())
    if not match:
        return {}
    return {f"address.{part}": value.strip() for part, value in match.groupdict().items()}


def nested(flat: Mapping[str, Any]) -> dict[str, Any]:
    """`{"address.city": "X"}` -> `{"address": {"city": "X"}}`: the form's JSON shape."""
    out: dict[str, Any] = {}
    for key, value in flat.items():
        head, dot, part = key.partition(".")
        if dot:
            out.setdefault(head, {})[part] = value
        else:
            out[key] = value
    return out
