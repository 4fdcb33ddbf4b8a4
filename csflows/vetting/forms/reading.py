"""Read a returned New Customer Inquiry Form (seed 001) from JSON, YAML or the fillable PDF.

A file we cannot read at all is a FormError naming the problem; a value that does not fit its
field (an amount that is not a number, an unknown store type) is kept as a MissingField with a
reason, so the applicant hears about every problem at once.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from csflows import limits
from csflows.errors import FormError
from csflows.models import MissingField, NewCustomerInquiry

FORMATS = ("json", "yaml", "pdf")


def form_format(path: Path) -> str:
    suffix = path.suffix.lower().lstrip(".")
    fmt = {"yml": "yaml"}.get(suffix, suffix)
    if fmt not in FORMATS:
        raise FormError(f"{path}: unknown form type {path.suffix!r}; use .json, .yaml or .pdf")
    return fmt


def read_form_data(path: Path) -> dict[str, Any]:
    """The form's raw fields as a dict with the JSON keys (address nested)."""
    fmt = form_format(path)
    if not path.is_file():
        raise FormError(f"{path}: file not found")
    size = path.stat().st_size
    if size > limits.FORM_FILE_BYTES:
        raise FormError(
            limits.too_long(f"{path}: the form file", size, limits.FORM_FILE_BYTES, "bytes")
        )
    if fmt == "pdf":
        from csflows.vetting.forms.pdf import read_pdf_form

        return read_pdf_form(path)
    text = path.read_text(encoding="utf-8-sig")
    try:
        data = json.loads(text) if fmt == "json" else yaml.safe_load(text)
    except json.JSONDecodeError as exc:
        raise FormError(f"{path}: not valid JSON: {exc.msg} at line {exc.lineno}") from exc
    except yaml.YAMLError as exc:
        raise FormError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise FormError(f"{path}: the form must be a mapping of field names to answers")
    return data


_MONEY = re.compile(r"[$,\s]|USD", re.I)


def _tidy(data: dict[str, Any]) -> dict[str, Any]:
    """Blank answers are not given; '$1,500' is 1500; product lines may be one text."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, str):
            value = value.strip()
            if not value:
                continue
            if key in {"first_order_amount", "annual_purchases"}:
                value = _MONEY.sub("", value)
            if key == "product_lines":
                value = [p.strip() for p in re.split(r"[,;\n]", value) if p.strip()]
        if key == "address" and isinstance(value, dict):
            value = _tidy(value)
        if value is None:
            continue
        out[key] = value
    return out


def _reason(err: dict[str, Any]) -> str:
    kind, ctx = err["type"], err.get("ctx", {})
    if kind == "string_too_long":
        size = len(err["input"]) if isinstance(err.get("input"), str) else "more"
        return f"is too long: {size:,} characters; the limit is {ctx['max_length']:,}"
    if kind == "too_long":
        return f"has too many entries; the limit is {ctx['max_length']:,}"
    if kind == "decimal_max_digits":
        return f"is too large an amount; at most {ctx['max_digits']} digits"
    if kind == "value_error":
        return str(err["msg"]).removeprefix("Value error, ")
    if kind in {"decimal_parsing", "decimal_type", "float_parsing"}:
        return "must be an amount in US dollars, such as 1500"
    if kind == "greater_than_equal":
        return "must not be negative"
    if kind == "enum":
        return f"must be one of {ctx.get('expected', 'the listed choices')}"
    if kind in {"bool_parsing", "bool_type"}:
        return "please answer yes or no"
    return str(err["msg"])


def inquiry_from_data(data: dict[str, Any]) -> tuple[NewCustomerInquiry, list[MissingField]]:
    """The form as a model, plus the fields whose values did not fit (dropped from the model)."""
    tidy = _tidy(data)
    unknown = sorted(set(tidy) - set(NewCustomerInquiry.model_fields))
    if isinstance(tidy.get("address"), dict):
        from csflows.models import Address

        unknown += [
            f"address.{k}" for k in sorted(set(tidy["address"]) - set(Address.model_fields))
        ]
    if unknown:
        names = ", ".join(limits.one_line(name, 60) for name in unknown[:10])
        more = f" and {len(unknown) - 10} more" if len(unknown) > 10 else ""
        raise FormError(f"unknown form field(s): {names}{more}")
    problems: list[MissingField] = []
    for _ in range(len(NewCustomerInquiry.model_fields) + 8):
        try:
            return NewCustomerInquiry.model_validate(tidy), problems
        except ValidationError as exc:
            for err in exc.errors():
                loc = [str(p) for p in err["loc"] if not isinstance(p, int)]
                key = ".".join(loc)
                problems.append(MissingField(field=key, reason=_reason(dict(err))))
                _drop(tidy, loc)
    raise FormError("the form's values could not be read")  # pragma: no cover


def _drop(data: dict[str, Any], loc: list[str]) -> None:
    node: Any = data
    for part in loc[:-1]:
        node = node.get(part, {}) if isinstance(node, dict) else {}
    if isinstance(node, dict) and loc:
        node.pop(loc[-1], None)
    elif loc:
        data.pop(loc[0], None)


def read_form(path: Path) -> tuple[NewCustomerInquiry, list[MissingField]]:
    """Read and parse a form file; FormError names the file and the problem."""
    data = read_form_data(path)
    try:
        return inquiry_from_data(data)
    except FormError as exc:
        raise FormError(f"{path}: {exc}") from exc
