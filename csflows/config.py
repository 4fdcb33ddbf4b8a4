"""The one config loader: `config/<name>.yaml` read into a pydantic model, kept until the file
changes, and refused with a PolicyError that names file, key and value.

Every policy file goes through `load`; anything else built from config files (the shipped triage
model, trained from config/training/) goes through `rebuilt_on_change`, the one place that
decides when a file has changed (its modification time or size), appeared or gone.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable, Hashable, Sequence
from pathlib import Path
from typing import Any, TypeVar, get_args

import yaml
from pydantic import BaseModel, ValidationError

from csflows.errors import PolicyError
from csflows.paths import config_dir

M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")

MAX_CACHED = 256  # distinct (file, model) pairs kept; tests write many temporary files

Stamp = tuple[int, int] | None
_cache: dict[Hashable, tuple[tuple[Stamp, ...], Any]] = {}
_lock = threading.Lock()


def config_path(name: str) -> Path:
    """Where `config/<name>.yaml` is (under `CSFLOWS_CONFIG_DIR` when it is set)."""
    return config_dir() / f"{name}.yaml"


def load(
    name: str,
    model: type[M],
    path: Path | None = None,
    *,
    optional: bool = False,
    reads: Sequence[str] = (),
) -> M:
    """`config/<name>.yaml` (or `path`) as `model`, re-read when the file changes, or one of the
    files `reads` names that the model's validation reads (a figure it takes from another file).

    A missing file is a PolicyError, or the model's defaults when `optional`."""
    path = Path(os.path.abspath(path or config_path(name)))
    files = [path, *(config_path(other) for other in reads)]
    return rebuilt_on_change(
        ("yaml", path, model, optional), files, lambda: read_model(path, model, optional=optional)
    )


def rebuilt_on_change(key: Hashable, files: Sequence[Path], build: Callable[[], T]) -> T:
    """`build()`, kept under `key` until one of `files` changes, appears or goes away.

    Files are looked at before `build` reads them, so a change made while it reads is picked up
    by the next call. Failures are not kept: a broken file raises on every call until fixed."""
    stamps = tuple(_stamp(path) for path in files)
    with _lock:
        kept = _cache.get(key)
    if kept is not None and kept[0] == stamps:
        return kept[1]  # type: ignore[no-any-return]
    value = build()
    with _lock:
        if len(_cache) >= MAX_CACHED and key not in _cache:
            _cache.pop(next(iter(_cache)))
        _cache[key] = (stamps, value)
    return value


def _stamp(path: Path) -> Stamp:
    try:
        stat = path.stat()
    except FileNotFoundError:
        return None
    return (stat.st_mtime_ns, stat.st_size)


def read_model(path: Path, model: type[M], *, optional: bool = False) -> M:
    """Read a YAML file into `model` (no caching), or raise PolicyError naming file, key, value."""
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        if optional:
            return model()
        raise PolicyError(f"{path}: file not found") from exc
    except (yaml.YAMLError, ValueError) as exc:  # ValueError: a date such as 2026-02-30
        raise PolicyError(f"{path}: not valid YAML: {exc}") from exc
    _refuse_old_keys(path, model, document)
    try:
        return model.model_validate(document)
    except ValidationError as exc:
        raise PolicyError(describe_validation_error(str(path), document, exc)) from exc


def _refuse_old_keys(path: Path, model: type[BaseModel], document: Any) -> None:
    """A key that moved to another file is named with where it went, a key that was removed with
    why (not just "not permitted"), at the top level or in a nested model (`types[3].keywords`).

    A model lists them in `moved_keys` (key: where it went) and `removed_keys` (key: why)."""
    found = _old_keys(model, document, ())
    if found:
        raise PolicyError("\n".join(f"{path}: {line}" for line in found))


def _old_keys(model: type[BaseModel], document: Any, loc: tuple[int | str, ...]) -> list[str]:
    node = _dig(document, loc)
    if not isinstance(node, dict):
        return []
    found = []
    for kind, keys in (
        ("moved to", getattr(model, "moved_keys", {})),
        ("removed:", getattr(model, "removed_keys", {})),
    ):
        found += [
            f"{_key_path(document, (*loc, key))}: {kind} {keys[key]} (got {node[key]!r})"
            for key in keys
            if key in node
        ]
    for name, field in model.model_fields.items():
        inner = _nested_model(field.annotation)
        value = node.get(name)
        if inner is None or value is None:
            continue
        if isinstance(value, list):
            for i in range(len(value)):
                found += _old_keys(inner, document, (*loc, name, i))
        else:
            found += _old_keys(inner, document, (*loc, name))
    return found


def _nested_model(annotation: Any) -> type[BaseModel] | None:
    """The model a field holds: `M`, `list[M]`, `M | None`; None for anything else."""
    for candidate in (annotation, *get_args(annotation)):
        if (
            isinstance(candidate, type)
            and not get_args(candidate)
            and issubclass(candidate, BaseModel)
        ):
            return candidate
    return None


def describe_validation_error(source: str, document: Any, error: ValidationError) -> str:
    """One line per problem: `file: key: problem (got value)`."""
    lines = []
    for err in error.errors():
        loc = tuple(err["loc"])
        value = _dig(document, loc)
        got = "" if err["type"] == "missing" else f" (got {value!r})"
        lines.append(f"{source}: {_key_path(document, loc)}: {err['msg']}{got}")
    return "\n".join(lines)


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


def read_jsonl(path: Path, convert: Callable[[dict[str, Any], int], T]) -> list[T]:
    """Each non-blank line of a JSON Lines file in `config/`, converted; PolicyError naming the
    file and the line when one cannot be read or converted."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError as exc:
        raise PolicyError(f"{path}: file not found") from exc
    out = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            out.append(convert(json.loads(line), number))
        except (ValueError, KeyError, TypeError) as exc:
            raise PolicyError(f"{path}: line {number}: {exc}") from exc
    return out
