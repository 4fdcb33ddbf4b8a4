"""The fillable PDF of the New Customer Inquiry Form, generated from the model so it never drifts.

Regenerate after changing NewCustomerInquiry: `python -m csflows.vetting.forms.pdf` (writes
config/forms/new_customer_inquiry.pdf); a test fails while the shipped PDF is stale.
Field names are the JSON keys (`address.city` for address parts); yes/no and choice questions
are radio groups whose export values are the JSON values.
"""

from __future__ import annotations

import sys
import typing
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

from pydantic.fields import FieldInfo

from csflows.models import Address, NewCustomerInquiry
from csflows.paths import config_dir

FORM_FILE = "new_customer_inquiry.pdf"
LABELS = {
    "business_name": "Legal business name",
    "dba": "Doing business as (DBA)",
    "contact_name": "Contact name",
    "email": "Email",
    "phone": "Phone",
    "address.street": "Street",
    "address.unit": "Suite / unit",
    "address.city": "City",
    "address.region": "State / province",
    "address.postal_code": "Postal (ZIP) code",
    "address.country": "Country (two letters, e.g. US)",
    "website": "Website",
    "sells_on_amazon": "Do you sell on Amazon (FBA or FBM)?",
    "amazon_storefront": "If yes: Amazon storefront name or seller id",
    "division": "Division you want to buy from",
    "product_lines": "Product lines you want (one per line)",
    "current_products": "Products your business sells today",
    "store_type": "Store type",
    "first_order_amount": "Expected first order (USD)",
    "annual_purchases": "Expected annual purchases (USD)",
    "payment_method": "Payment method",
    "tax_id": "Resale certificate or tax id",
}


@dataclass(frozen=True)
class FormField:
    name: str
    label: str
    choices: tuple[str, ...] = ()  # a radio group when set
    multiline: bool = False


def _choices(info: FieldInfo) -> tuple[str, ...]:
    for arg in (info.annotation, *typing.get_args(info.annotation)):
        if isinstance(arg, type) and issubclass(arg, Enum):
            return tuple(str(m.value) for m in arg)
        if arg is bool:
            return ("yes", "no")
    return ()


def form_fields() -> list[FormField]:
    """The PDF's fields, in the model's order."""
    out: list[FormField] = []
    for name, info in NewCustomerInquiry.model_fields.items():
        if name == "address":
            out += [
                FormField(f"address.{part}", LABELS.get(f"address.{part}", part))
                for part in Address.model_fields
            ]
            continue
        label = LABELS.get(name) or info.description or name.replace("_", " ").capitalize()
        multiline = typing.get_origin(info.annotation) is list or name == "current_products"
        out.append(FormField(name, label, _choices(info), multiline))
    return out


def build_pdf(path: Path) -> Path:
    """Write the fillable form to `path`."""
    from reportlab.lib.pagesizes import letter
    from reportlab.pdfgen import canvas

    pdf = canvas.Canvas(str(path), pagesize=letter, invariant=1)
    pdf.setTitle("New Customer Inquiry Form")
    width, height = letter
    y = height - 60
    pdf.setFont("Helvetica-Bold", 16)
    pdf.drawString(50, y, "New Customer Inquiry Form")
    y -= 30
    for spec in form_fields():
        rows = 2 if spec.multiline else 1
        if y < 60 + 22 * rows:
            pdf.showPage()
            y = height - 60
        pdf.setFont("Helvetica", 9)
        pdf.drawString(50, y + 4, spec.label)
        if spec.choices:
            x = 250
            for choice in spec.choices:
                pdf.acroForm.radio(
                    name=spec.name, value=choice, x=x, y=y, size=12, tooltip=spec.label
                )
                pdf.drawString(x + 16, y + 2, choice.replace("_", " "))
                x += 110
        else:
            pdf.acroForm.textfield(
                name=spec.name,
                tooltip=spec.label,
                x=250,
                y=y - 22 * (rows - 1),
                width=310,
                height=18 * rows,
                fontSize=9,
                fieldFlags="multiline" if spec.multiline else "",
            )
        y -= 26 * rows
    pdf.save()
    return path


def shipped_pdf() -> Path:
    return config_dir() / "forms" / FORM_FILE


def read_pdf_form(path: Path) -> dict[str, Any]:
    """The filled-in answers of the PDF as the form's JSON shape (address nested)."""
    from pypdf.errors import PyPdfError

    from csflows.errors import FormError, PdfRefused
    from csflows.pdfs import reading

    try:
        with reading(path) as reader:
            fields = reader.get_fields() or {}
    except PdfRefused as exc:
        raise FormError(f"{path}: refused: {exc}") from exc
    except (PyPdfError, OSError, ValueError, KeyError, TypeError) as exc:
        raise FormError(f"{path}: not a readable PDF form: {exc}") from exc
    if not fields:
        raise FormError(f"{path}: the PDF has no form fields; use the form in config/forms/")
    known = {f.name for f in form_fields()}
    if not known & set(fields):
        raise FormError(f"{path}: this PDF is not the New Customer Inquiry Form")
    data: dict[str, Any] = {"address": {}}
    for name, field in fields.items():
        if name not in known:
            continue
        value = field.get("/V")
        if value is None:
            continue
        text = str(value).lstrip("/") if str(value).startswith("/") else str(value)
        if text in {"", "Off"}:
            continue
        if name.startswith("address."):
            data["address"][name.split(".", 1)[1]] = text
        else:
            data[name] = text
    return data


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else shipped_pdf()
    target.parent.mkdir(parents=True, exist_ok=True)
    print(build_pdf(target))
