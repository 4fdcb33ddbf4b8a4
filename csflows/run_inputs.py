"""Resume forms: a Prefect `RunInput` that shows a person what they need to decide (markdown
above the fields) with answers pre-filled, keeping each field's description and constraints
(Prefect's own `with_initial_data` drops them); choices shown in words."""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Self, TypeVar

import pydantic
from prefect.input import RunInput

R = TypeVar("R", bound=RunInput)


def in_words(code: object) -> str:
    """An internal code as a person reads it: `credit_card` -> `credit card`."""
    return str(code or "").replace("_", " ")


class Choice(StrEnum):
    """A choice a person picks in a Resume form. The UI shows an enum's values as they are, so
    the value is the words ("enter the order"); `code` is the internal name (`enter_order`: the
    member's name) that the audit trail keeps. Validation takes either, so an answer recorded
    before, or given in Python by its code, still reads. (The Prefect server checks an API
    answer against the form's schema, which lists the words.)"""

    @property
    def code(self) -> str:
        return self.name.lower()

    @classmethod
    def _missing_(cls, value: object) -> Self | None:
        return next((member for member in cls if member.code == value), None)


def with_context(form: type[R], description: str = "", **initial: Any) -> type[R]:
    """`form` with `description` shown in the Resume dialog and `initial` as the defaults."""
    fields: dict[str, Any] = {}
    for name, value in initial.items():
        if name not in form.model_fields:
            raise TypeError(f"{form.__name__} has no field {name!r}")
        field = form.model_fields[name]
        prefilled = pydantic.fields.FieldInfo.merge_field_infos(field, default=value)
        fields[name] = (field.annotation, prefilled)
    model = pydantic.create_model(form.__name__, __base__=form, **fields)
    if description:
        model._description = description
    return model
