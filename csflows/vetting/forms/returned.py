"""A returned inquiry form in whatever shape it came back: csflows' fillable PDF (its form
fields), a division's own fillable form (its field map in config/divisions.yaml), a printed or
flattened PDF (its text layer), or a scan or photo (OCR). The reading says how it was read, so
vetting knows whether a blank is the applicant's or the machine's."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field

from csflows import limits
from csflows.divisions import divisions
from csflows.errors import FormError
from csflows.vetting.forms.labels import choice_value, known_labels, labelled_answers, nested
from csflows.vetting.forms.ocr import IMAGE_TYPES, image_text, pdf_images_text
from csflows.vetting.forms.pdf import FORM_FILE, read_pdf_form

Method = Literal["form fields", "field map", "text layer", "OCR"]
TEXT_CHARS = 20_000  # the text kept for the person who keys the form


class FormReading(BaseModel):
    """What could be read from one returned file, and how."""

    filename: str
    method: Method
    form: dict[str, Any] = Field(default_factory=dict, description="the form's JSON shape")
    text: str = Field("", description="the text read (text layer or OCR), for the person")
    division: str | None = Field(None, description="whose field map read it")

    @property
    def by_machine(self) -> bool:
        """Read from text, a picture or a map: a blank may be the machine's, not the applicant's."""
        return self.method != "form fields"


def division_maps() -> dict[str, dict[str, str]]:
    """Each division's field map (its own form's field names or printed labels -> form keys)."""
    return {d.key: d.form_fields for d in divisions().divisions if d.form_fields}


def all_printed_labels() -> dict[str, str]:
    out: dict[str, str] = {}
    for fields in division_maps().values():
        out |= fields
    return known_labels(out)


def read_returned(filename: str, content: bytes) -> FormReading | None:
    """The reading of one attachment; None when it is neither a PDF nor a picture."""
    suffix = Path(filename).suffix.lower().lstrip(".")
    if suffix in IMAGE_TYPES:
        return _from_text(filename, "OCR", image_text(content))
    if suffix != "pdf":
        return None
    return _own_form(filename, content) or _mapped(filename, content) or _printed(filename, content)


def read_returned_file(path: Path) -> FormReading | None:
    """`read_returned` for a file on disk (`csflows vet scan.png`); FormError when it is
    missing or too large."""
    if not path.is_file():
        raise FormError(f"{path}: file not found")
    if (size := path.stat().st_size) > limits.SCAN_FILE_BYTES:
        raise FormError(limits.too_long(f"{path}: the file", size, limits.SCAN_FILE_BYTES, "bytes"))
    return read_returned(path.name, path.read_bytes())


def _own_form(filename: str, content: bytes) -> FormReading | None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / FORM_FILE
        path.write_bytes(content)
        try:
            return FormReading(filename=filename, method="form fields", form=read_pdf_form(path))
        except FormError:
            return None


def _pdf_fields_and_text(content: bytes) -> tuple[dict[str, str], str]:
    from pypdf.errors import PyPdfError

    from csflows import pdfs
    from csflows.vetting.forms.ocr import PAGE_CAP

    try:
        with pdfs.reading(content) as reader:
            fields = reader.get_fields() or {}
            text = "\n".join(page.extract_text() or "" for page in reader.pages[:PAGE_CAP])
    except (PyPdfError, ValueError, TypeError, KeyError, OSError):  # PdfRefused too
        return {}, ""
    values = {name: str(f.get("/V") or "").lstrip("/") for name, f in fields.items()}
    return {k: v for k, v in values.items() if v and v != "Off"}, text


def _mapped(filename: str, content: bytes) -> FormReading | None:
    """A division's own fillable form, by the division's field map (the best-matching one)."""
    fields, _ = _pdf_fields_and_text(content)
    best: tuple[int, str, dict[str, str]] = (0, "", {})
    for division, mapping in division_maps().items():
        read = {
            key: choice_value(key, fields[name]) for name, key in mapping.items() if name in fields
        }
        if len(read) > best[0]:
            best = (len(read), division, read)
    if not best[0]:
        return None
    return FormReading(
        filename=filename, method="field map", form=nested(best[2]), division=best[1]
    )


def _printed(filename: str, content: bytes) -> FormReading:
    """A PDF without the form's fields: its text layer, else OCR of its page images."""
    _, text = _pdf_fields_and_text(content)
    if text.strip():
        return _from_text(filename, "text layer", text)
    return _from_text(filename, "OCR", pdf_images_text(content))


def _from_text(filename: str, method: Method, text: str) -> FormReading:
    text = limits.clean(text, multiline=True)[:TEXT_CHARS]
    form = nested(labelled_answers(text, all_printed_labels()))
    return FormReading(filename=filename, method=method, form=form, text=text)
