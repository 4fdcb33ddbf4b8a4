"""Resume forms: a Prefect `RunInput` that shows a person what they need to decide (markdown
above the fields) with answers pre-filled, keeping each field's description and constraints
(Prefect's own `with_initial_data` drops them)."""

from __future__ import annotations

from typing import Any, TypeVar

import pydantic
from prefect.input import RunInput

R = TypeVar("R", bound=RunInput)


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
