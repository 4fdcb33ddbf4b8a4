"""A returned form the machine could not read in full goes to a person, not back to the
applicant: the rep who runs the inquiry keys it at the `key-inquiry-form` gate, pre-filled with
what was read, and is told so by mail with the run's link."""

from __future__ import annotations

from typing import Any, Literal

import pydantic
from prefect.input import RunInput
from pydantic import Field

from csflows import templates
from csflows.links import waiting_for
from csflows.markdown import escape
from csflows.models import MissingField
from csflows.models.common import Name
from csflows.outbox import OutgoingEmail
from csflows.people import Person
from csflows.run_inputs import in_words
from csflows.vetting.forms.labels import nested
from csflows.vetting.forms.pdf import form_fields
from csflows.vetting.forms.returned import FormReading
from csflows.vetting.inquiries import InquiryRecord, parse_form

GATE = "key-inquiry-form"  # one per round: `key-inquiry-form-<round>`
HOW = {
    "form fields": "from the form's fields",
    "field map": "by the division's field map (config/divisions.yaml)",
    "text layer": "from the PDF's text (its text layer)",
    "OCR": "by OCR (Tesseract) from the picture",
}


def field_name(key: str) -> str:
    """`address.city` -> `address_city`: the Resume form's field for a form key."""
    return key.replace(".", "_")


class KeyedForm(RunInput):
    """The rep's reading of a returned form; the inquiry form's fields follow (built below)."""

    keyed_by: Name = Field(description="Who typed the answers; the audit trail keeps it.")

    def form(self) -> dict[str, Any]:
        """The answers in the form's JSON shape, blanks left out."""
        flat = {spec.name: getattr(self, field_name(spec.name), None) for spec in form_fields()}
        return nested({k: _as_code(k, v) for k, v in flat.items() if v not in (None, "")})

    def record(self, inquiry: InquiryRecord, gate: str, reading: FormReading) -> None:
        """Keep the keyed form as the inquiry's form, once, with who keyed it from what."""
        keyed = self.form()
        if inquiry.record_decision(
            f"gate:{gate}",
            "form_keyed",
            reviewer=self.keyed_by,
            note=f"keyed from {reading.filename} (read {reading.method})",
            evidence={"answer": self.model_dump(mode="json"), "read": reading.form},
        ):
            form, _ = parse_form(keyed)
            if form is not None:
                inquiry.save_form(form, raw=keyed)
            else:
                inquiry.save_raw(keyed)


def _field(label: str, choices: tuple[str, ...]) -> tuple[Any, Any]:
    """A form field in the Resume form; a radio group's choices in words (`credit card`)."""
    shown = tuple(in_words(c) for c in choices)
    kind: Any = Literal[shown] | None if choices else str | None  # type: ignore[valid-type]
    hint = f" One of: {', '.join(shown)}." if choices else ""
    return kind, Field(None, description=f"{label}.{hint} Leave blank if the form leaves it blank.")


def _as_code(name: str, value: Any) -> Any:
    """A keyed choice back to the form's code (`credit card` -> `credit_card`)."""
    spec = next((f for f in form_fields() if f.name == name), None)
    if spec is None or not isinstance(value, str):
        return value
    return next((c for c in spec.choices if value in (c, in_words(c))), value)


def keyed_form() -> type[KeyedForm]:
    """The Resume form: every field of the inquiry form, each described by its printed label."""
    fields: dict[str, Any] = {field_name(f.name): _field(f.label, f.choices) for f in form_fields()}
    return pydantic.create_model("KeyedForm", __base__=KeyedForm, **fields)


def prefilled(raw: dict[str, Any]) -> dict[str, Any]:
    """What was read (the inquiry's raw form), as the Resume form's defaults: text, a list one
    item a line, yes/no for a yes/no question; only the fields the Resume form has."""
    names = set(keyed_form().model_fields)
    flat: dict[str, Any] = {}
    for key, value in raw.items():
        if isinstance(value, dict):
            flat |= {f"{key}_{part}": v for part, v in value.items()}
        else:
            flat[field_name(key)] = value
    choices = {field_name(f.name) for f in form_fields() if f.choices}
    return {
        k: in_words(_as_text(v)) if k in choices else _as_text(v)
        for k, v in flat.items()
        if k in names and v not in (None, "", [])
    }


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return "\n".join(str(v) for v in value)
    return str(value)


def describe(
    inquiry_id: int, reading: FormReading, unread: list[MissingField], ticket_id: int | None = None
) -> str:
    """The gate's markdown: which file, how it was read, what could not be read."""
    source = f" (attached to ticket {ticket_id})" if ticket_id else ""
    lines = [
        "**Key this form from the file**: the fields below hold what was read; correct them "
        "and fill in the rest. A field the applicant left blank stays blank (the applicant is "
        "then asked for it).",
        "",
        "**Could not be read:**",
        "",
        *[f"- {escape(_label(m.field))}: {escape(m.reason)}" for m in unread],
        "",
        f"Inquiry {inquiry_id}: the returned form **{escape(reading.filename)}**{source}, read "
        f"{HOW[reading.method]}.",
    ]
    if reading.text.strip():
        excerpt = "\n".join(f"    {line}" for line in reading.text.strip().splitlines()[:60])
        lines += ["", "**The text as read:**", "", excerpt]
    return "\n".join(lines)


def _label(key: str) -> str:
    return next((f.label for f in form_fields() if f.name == key), key)


def rep_letter(
    inquiry_id: int,
    gate: str,
    reading: FormReading,
    unread: list[MissingField],
    rep: Person,
    link: str,
) -> OutgoingEmail:
    """The rep who runs the inquiry is asked to key the form, with the run's link."""
    business = str(reading.form.get("business_name") or "")
    rendered = templates.render(
        "vetting_key_form",
        rep_name=rep.name,
        inquiry_id=inquiry_id,
        business_name=business,
        filename=reading.filename,
        how=HOW[reading.method],
        unread=[_label(m.field) for m in unread],
        link=link,
        queue_link=waiting_for("rep"),
    )
    return OutgoingEmail(
        key=f"vetting:{inquiry_id}:{gate}",
        to=str(rep.email),
        subject=rendered.subject,
        body=rendered.body,
        template="vetting_key_form",
        values={"filename": reading.filename, "method": reading.method, "link": link},
        inquiry_id=inquiry_id,
    )


def unread_fields(inquiry: InquiryRecord, reading: FormReading) -> list[MissingField]:
    """The answers a machine reading left missing or unfit (none for csflows' own fillable
    form: its blanks are the applicant's, and the form goes back to them)."""
    from csflows.models import NewCustomerInquiry
    from csflows.vetting.criteria.completeness import missing_fields

    if not reading.by_machine:
        return []
    form, problems = inquiry.parsed()
    return missing_fields(form or NewCustomerInquiry(), problems)
