"""Form readers: JSON, YAML and the shipped fillable PDF; malformed files name the problem."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from pypdf import PdfReader, PdfWriter

from csflows.errors import FormError
from csflows.models import Address, NewCustomerInquiry
from csflows.vetting.criteria.completeness import missing_fields
from csflows.vetting.forms.pdf import build_pdf, form_fields, shipped_pdf
from csflows.vetting.forms.reading import read_form
from tests.support.inquiries import COMPLETE_FORM, form_data


def test_json_and_yaml_read_the_same_inquiry(tmp_path: Path) -> None:
    as_yaml = tmp_path / "form.yaml"
    as_yaml.write_text(yaml.safe_dump(form_data()))
    from_json, problems = read_form(COMPLETE_FORM)
    assert problems == [] and read_form(as_yaml) == (from_json, [])
    assert from_json.address.city == "Chicago" and from_json.product_lines[1] == "stickers"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("form.json", "{not json", "not valid JSON"),
        ("form.yaml", "a: [1, 2", "not valid YAML"),
        ("form.json", "[1, 2]", "must be a mapping"),
        ("form.json", json.dumps({"business_nam": "x"}), "unknown form field(s): business_nam"),
        ("form.json", json.dumps({"address": {"town": "x"}}), "address.town"),
        ("form.txt", "{}", "unknown form type '.txt'"),
        ("form.pdf", "%PDF-1.4 garbage", "not a readable PDF form"),
    ],
)
def test_malformed_files_name_the_problem(
    tmp_path: Path, name: str, content: str, message: str
) -> None:
    path = tmp_path / name
    path.write_text(content)
    with pytest.raises(FormError) as err:
        read_form(path)
    assert message in str(err.value) and str(path) in str(err.value)


def test_values_that_do_not_fit_become_reasons(tmp_path: Path) -> None:
    path = tmp_path / "form.json"
    path.write_text(
        json.dumps(form_data(first_order_amount="about a grand", store_type="warehouse"))
    )
    form, problems = read_form(path)
    reasons = {p.field: p.reason for p in problems}
    assert reasons["first_order_amount"] == "must be an amount in US dollars, such as 1500"
    assert reasons["store_type"].startswith("must be one of")
    assert form.first_order_amount is None
    everything = {m.field for m in missing_fields(form, problems)}
    assert {"first_order_amount", "store_type"} <= everything


def test_shipped_pdf_has_exactly_the_models_fields() -> None:
    fields = PdfReader(str(shipped_pdf())).get_fields() or {}
    expected = {f"address.{p}" for p in Address.model_fields} | (
        set(NewCustomerInquiry.model_fields) - {"address"}
    )
    assert set(fields) == expected
    for spec in form_fields():
        if spec.choices:
            assert fields[spec.name]["/FT"] == "/Btn"
            assert [s.lstrip("/") for s in fields[spec.name]["/_States_"]] == list(spec.choices)
        else:
            assert fields[spec.name]["/FT"] == "/Tx"


def test_shipped_pdf_is_what_the_generator_builds(tmp_path: Path) -> None:
    """Fails when the model changed and `python -m csflows.vetting.forms.pdf` was not re-run."""
    assert build_pdf(tmp_path / "fresh.pdf").read_bytes() == shipped_pdf().read_bytes()


def test_filled_pdf_reads_back_as_the_form(tmp_path: Path) -> None:
    data = form_data()
    values = {k: str(v) for k, v in data.items() if k != "address" and v is not None}
    values |= {f"address.{k}": v for k, v in data["address"].items()}
    values["product_lines"] = "\n".join(data["product_lines"])
    for radio in ("sells_on_amazon", "store_type", "payment_method"):
        values[radio] = "/" + {"False": "no", "True": "yes"}.get(values[radio], values[radio])
    writer = PdfWriter(clone_from=str(shipped_pdf()))
    writer.update_page_form_field_values(None, values, auto_regenerate=False)
    filled = tmp_path / "filled.pdf"
    writer.write(filled)
    form, problems = read_form(filled)
    assert problems == []
    assert form == NewCustomerInquiry.model_validate(data)


def test_blank_pdf_is_an_incomplete_form() -> None:
    form, problems = read_form(shipped_pdf())
    assert problems == [] and "business_name" in {m.field for m in missing_fields(form)}
