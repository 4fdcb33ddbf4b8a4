"""Load the business's policy from `config/`: validated at load, errors name file, key and value."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, Field, ValidationError, model_validator

from csflows.errors import PolicyError
from csflows.models import Division
from csflows.models.common import Model
from csflows.paths import config_dir

M = TypeVar("M", bound=BaseModel)


def _dig(document: Any, loc: tuple[int | str, ...]) -> Any:
    for part in loc:
        try:
            document = document[part]
        except (KeyError, IndexError, TypeError):
            return None
    return document


def _key_path(document: Any, loc: tuple[int | str, ...]) -> str:
    """`divisions[2].minimums.order_amount`, with list items named by their `key` when they have one."""
    out = ""
    node = document
    for part in loc:
        if isinstance(part, int):
            item = node[part] if isinstance(node, list) and part < len(node) else None
            name = item.get("key") if isinstance(item, dict) else None
            out += f"[{part}]" if name is None else f"[{part}:{name}]"
        else:
            out += f".{part}" if out else str(part)
        node = _dig(node, (part,))
    return out or "(top level)"


def describe_validation_error(source: str, document: Any, error: ValidationError) -> str:
    """One line per problem: `file: key: problem (got value)`."""
    lines = []
    for err in error.errors():
        loc = tuple(err["loc"])
        value = _dig(document, loc)
        got = "" if err["type"] == "missing" else f" (got {value!r})"
        lines.append(f"{source}: {_key_path(document, loc)}: {err['msg']}{got}")
    return "\n".join(lines)


def load_yaml_model(path: Path, model: type[M]) -> M:
    """Read a YAML file into `model`, or raise PolicyError naming file, key and bad value."""
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise PolicyError(f"{path}: file not found") from exc
    except yaml.YAMLError as exc:
        raise PolicyError(f"{path}: not valid YAML: {exc}") from exc
    try:
        return model.model_validate(document)
    except ValidationError as exc:
        raise PolicyError(describe_validation_error(str(path), document, exc)) from exc


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
        """The division named `name`; KeyError listing the known ones when there is none."""
        norm = _normalize(name)
        for division in self.divisions:
            if norm in {_normalize(x) for x in (division.key, division.name, *division.aliases)}:
                return division
        known = ", ".join(d.name for d in self.divisions)
        raise KeyError(f"unknown division {name!r}; known divisions: {known}")

    def keys(self) -> list[str]:
        return [d.key for d in self.divisions]


def _normalize(label: str) -> str:
    return "".join(ch for ch in label.lower().replace("&", "and") if ch.isalnum())


@lru_cache(maxsize=8)
def _divisions_at(path: Path, mtime: float) -> DivisionCatalog:
    return load_yaml_model(path, DivisionCatalog)


def divisions(path: Path | None = None) -> DivisionCatalog:
    """The division catalog from `config/divisions.yaml` (re-read when the file changes)."""
    path = path or config_dir() / "divisions.yaml"
    try:
        mtime = path.stat().st_mtime
    except FileNotFoundError as exc:
        raise PolicyError(f"{path}: file not found") from exc
    return _divisions_at(path, mtime)
