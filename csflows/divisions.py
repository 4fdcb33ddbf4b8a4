"""The divisions of the business (`config/divisions.yaml`), looked up by key, name or alias."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, model_validator

from csflows import config
from csflows.errors import DivisionNotFound
from csflows.models import Division
from csflows.models.common import Model


class DivisionCatalog(Model):
    """Every division the seeds name, looked up by key, name or alias (case-insensitive)."""

    divisions: list[Division] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_names(self) -> DivisionCatalog:
        seen: dict[str, str] = {}
        for division in self.divisions:
            for label in (division.key, division.name, *division.aliases):
                norm = _normalize(label)
                if norm in seen and seen[norm] != division.key:
                    raise ValueError(f"{label!r} names both {seen[norm]} and {division.key}")
                seen[norm] = division.key
        return self

    def get(self, name: str) -> Division:
        """The division named `name`; DivisionNotFound (a KeyError) listing the known ones."""
        norm = _normalize(name)
        for division in self.divisions:
            if norm in {_normalize(x) for x in (division.key, division.name, *division.aliases)}:
                return division
        known = ", ".join(d.name for d in self.divisions)
        raise DivisionNotFound(
            f"unknown division {name!r}; known divisions: {known} (config/divisions.yaml)"
        )

    def keys(self) -> list[str]:
        return [d.key for d in self.divisions]


def _normalize(label: str) -> str:
    return "".join(ch for ch in label.lower().replace("&", "and") if ch.isalnum())


def divisions(path: Path | None = None) -> DivisionCatalog:
    """The division catalog from `config/divisions.yaml` (re-read when the file changes)."""
    return config.load("divisions", DivisionCatalog, path)
