"""Read a CRM export into models, all or nothing: every bad row is reported by its row number."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from csflows.errors import CsvImportError

M = TypeVar("M", bound=BaseModel)


def read_rows(
    path: Path,
    model: type[M],
    header: list[str],
    check: Callable[[M], str | None] | None = None,
) -> list[M]:
    """Parse `path` (with exactly `header`) into `model` rows; `check` adds business rules.

    Row numbers count the header as row 1, as a spreadsheet shows them.
    """
    try:
        handle = path.open(newline="", encoding="utf-8-sig")
    except OSError as exc:
        raise CsvImportError(path, [f"cannot read the file: {exc.strerror}"]) from exc
    with handle:
        reader = csv.DictReader(handle)
        got = [h.strip() for h in reader.fieldnames or []]
        if got != header:
            raise CsvImportError(
                path,
                [f"row 1: header must be {','.join(header)} (got {','.join(got) or 'nothing'})"],
            )
        rows: list[M] = []
        problems: list[str] = []
        for number, raw in enumerate(reader, start=2):
            if None in raw:
                problems.append(
                    f"row {number}: {len(raw[None]) + len(header)} columns, expected {len(header)}"
                )  # type: ignore[index]
                continue
            values = {k.strip(): (v or "").strip() for k, v in raw.items()}
            try:
                # an empty cell means "not given": the model's default applies
                row = model.model_validate({k: v for k, v in values.items() if v != ""})
            except ValidationError as exc:
                for err in exc.errors():
                    field = ".".join(str(p) for p in err["loc"]) or "row"
                    got_value = (
                        "" if err["type"] == "missing" else f" (got {values.get(field, '')!r})"
                    )
                    problems.append(f"row {number}: {field}: {err['msg']}{got_value}")
                continue
            problem = check(row) if check else None
            if problem:
                problems.append(f"row {number}: {problem}")
                continue
            rows.append(row)
    if problems:
        raise CsvImportError(path, problems)
    return rows
