"""Reading a returned form that is not csflows' fillable PDF: the labelled-answer parser, a
division's field map, a PDF's text layer and OCR of a scan."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import yaml
from pydantic import ValidationError
from reportlab.pdfgen import canvas

from csflows.models import Division
from csflows.paths import PROJECT_ROOT
from csflows.vetting.forms.labels import known_labels, labelled_answers, nested
from csflows.vetting.forms.returned import read_returned
from tests.support.scanned_forms import PRINTED, scanned_form


def test_labelled_answers_take_only_what_follows_a_known_label() -> None:
    text = """NEW CUSTOMER INQUIRY FORM
Legal business name: Harbor Paper Co.
Email address:  jordan@harborpaper.example
Phone:
Website: ____
Notes: call after 5
Store type: Online
Payment method: Credit card
Postal (ZIP) code: 60606
Email: second@harborpaper.example
"""
    assert labelled_answers(text) == {
        "business_name": "Harbor Paper Co.",  # kept as written, full stop included
        "email": "jordan@harborpaper.example",  # the first answer wins
        "store_type": "online",
        "payment_method": "credit_card",
        "address.postal_code": "60606",
    }  # a blank or underlined answer and an unknown label give nothing


def test_a_choice_not_among_the_choices_is_kept_as_written() -> None:
    assert labelled_answers("Store type: warehouse") == {"store_type": "warehouse"}


def test_a_one_line_address_is_split_only_when_its_shape_is_clear() -> None:
    assert labelled_answers("Address: 200 W Madison St, Chicago, IL 60606") == {
        "address.street": "200 W Madison St",
        "address.city": "Chicago",
        "address.region": "IL",
        "address.postal_code": "60606",
    }
    assert labelled_answers("Address: somewhere near the harbor") == {}


def test_nested_gives_the_forms_json_shape() -> None:
    assert nested({"email": "a@b.example", "address.city": "X"}) == {
        "email": "a@b.example",
        "address": {"city": "X"},
    }


def test_a_divisions_printed_labels_read_its_own_form() -> None:
    labels = known_labels({"Ship-to ZIP": "address.postal_code", "Buyer": "contact_name"})
    assert labelled_answers("Buyer: Sam Ortiz\nShip-to ZIP: 73301", labels) == {
        "contact_name": "Sam Ortiz",
        "address.postal_code": "73301",
    }


def _division(**changes: object) -> dict[str, object]:
    data = yaml.safe_load((PROJECT_ROOT / "config" / "divisions.yaml").read_text())
    return dict(data["divisions"][0]) | changes


def test_a_field_map_names_only_fields_of_the_inquiry_form() -> None:
    assert Division.model_validate(_division(form_fields={"Company": "business_name"}))
    with pytest.raises(ValidationError, match="not fields of the inquiry form: fax"):
        Division.model_validate(_division(form_fields={"Fax": "fax"}))


def _fillable(**values: str) -> bytes:
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer)
    for n, (name, value) in enumerate(values.items()):
        page.acroForm.textfield(name=name, value=value, x=72, y=700 - 40 * n, width=300, height=20)
    page.showPage()
    page.save()
    return buffer.getvalue()


def test_a_divisions_fillable_form_is_read_by_its_field_map(
    csflows_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    config = shutil.copytree(PROJECT_ROOT / "config", tmp_path / "config")
    data = yaml.safe_load((config / "divisions.yaml").read_text())
    data["divisions"][0]["form_fields"] = {
        "CompanyName": "business_name",
        "Zip": "address.postal_code",
    }
    (config / "divisions.yaml").write_text(yaml.safe_dump(data))
    monkeypatch.setenv("CSFLOWS_CONFIG_DIR", str(config))
    reading = read_returned(
        "chform.pdf", _fillable(CompanyName="Dune Crafts", Zip="73301", Fax="1")
    )
    assert reading is not None and reading.method == "field map"
    assert reading.division == "craft_hobby"
    assert reading.form == {"business_name": "Dune Crafts", "address": {"postal_code": "73301"}}


def test_a_printed_pdf_is_read_from_its_text_layer() -> None:
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer)
    page.drawString(72, 700, "Business name: Dune Crafts")
    page.drawString(72, 680, "Website: https://dunecrafts.example")
    page.save()
    reading = read_returned("signed.pdf", buffer.getvalue())
    assert reading is not None and reading.method == "text layer" and reading.by_machine
    assert reading.form == {"business_name": "Dune Crafts", "website": "https://dunecrafts.example"}


@pytest.mark.parametrize(("name", "fmt"), [("scan.png", "PNG"), ("scan.pdf", "PDF")])
def test_a_scan_is_read_by_ocr(name: str, fmt: str) -> None:
    reading = read_returned(name, scanned_form(fmt=fmt))
    assert reading is not None and reading.method == "OCR"
    flat = {
        **reading.form,
        **{f"address.{k}": v for k, v in reading.form.get("address", {}).items()},
    }
    read = {label: value for label, value in PRINTED if value in flat.values()}
    assert len(read) == len(PRINTED), f"OCR read {len(read)}/{len(PRINTED)}: {reading.text}"


def test_a_file_that_is_neither_pdf_nor_picture_is_not_a_form() -> None:
    assert read_returned("notes.txt", b"Business name: X") is None
    unreadable = read_returned("photo.jpg", b"not a picture")
    assert unreadable is not None and unreadable.form == {} and unreadable.method == "OCR"


def test_the_keying_form_is_prefilled_with_what_was_read_as_text() -> None:
    from csflows.vetting.keying import keyed_form, prefilled

    raw = {"business_name": "Dune", "sells_on_amazon": False, "product_lines": ["A", "B"]}
    raw |= {"address": {"city": "Austin", "unit": None}, "first_order_amount": 800}
    assert prefilled(raw) == {
        "business_name": "Dune",
        "sells_on_amazon": "no",
        "product_lines": "A\nB",
        "address_city": "Austin",
        "first_order_amount": "800",
    }
    form = keyed_form()
    keyed = form.model_validate({**prefilled(raw), "keyed_by": "Jordan Diaz"})
    assert keyed.form() == {
        "business_name": "Dune",
        "sells_on_amazon": "no",
        "product_lines": "A\nB",
        "first_order_amount": "800",
        "address": {"city": "Austin"},
    }
    assert all(field.description for field in form.model_fields.values())
