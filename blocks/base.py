"""A Block whose fields environment variables may override, and the lookup that applies them."""

from __future__ import annotations

import os
from typing import Any, ClassVar, TypeVar

from prefect.blocks.core import Block
from prefect.settings import PREFECT_API_URL

B = TypeVar("B", bound="EnvOverridableBlock")

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


class EnvOverridableBlock(Block):
    """Fields map to `<_env_prefix><FIELD>` unless `_env_names` names the variable."""

    _env_prefix: ClassVar[str] = "CSFLOWS_"
    _env_names: ClassVar[dict[str, str]] = {}

    @classmethod
    def env_name(cls, field: str) -> str:
        return cls._env_names.get(field, f"{cls._env_prefix}{field.upper()}")

    @classmethod
    def env_values(cls, environ: dict[str, str] | None = None) -> dict[str, Any]:
        """The fields set in the environment, converted for booleans."""
        environ = dict(os.environ if environ is None else environ)
        values: dict[str, Any] = {}
        for field, info in cls.model_fields.items():
            name = cls.env_name(field)
            if name not in environ:
                continue
            raw = environ[name]
            if info.annotation is bool:
                if raw.strip().lower() not in _TRUE | _FALSE:
                    raise ValueError(f"{name}: expected true or false, got {raw!r}")
                values[field] = raw.strip().lower() in _TRUE
            else:
                values[field] = raw
        return values

    def with_env(self: B, environ: dict[str, str] | None = None) -> B:
        """A copy of this block with environment values laid over the saved ones."""
        merged = {k: getattr(self, k) for k in type(self).model_fields}
        merged.update(self.env_values(environ))
        return type(self)(**merged)


def resolve(cls: type[B], name: str | None = "default", environ: dict[str, str] | None = None) -> B:
    """The block saved as `name` (if the Prefect API has one) with the environment laid over it.

    With no saved block, or no Prefect server configured (PREFECT_API_URL: asking would start a
    temporary one), the environment and the field defaults alone; a field that neither sets is a
    validation error naming the environment variable to set.
    """
    saved: B | None = None
    lookup = os.environ.get("CSFLOWS_SKIP_BLOCK_LOOKUP", "") not in _TRUE
    if name and lookup and PREFECT_API_URL.value():
        try:
            saved = cls.load(name, validate=False)  # type: ignore[assignment]
        except (ValueError, RuntimeError, OSError):
            saved = None  # not saved, or no API to ask: the environment decides
    if saved is not None:
        return saved.with_env(environ)
    try:
        return cls(**cls.env_values(environ))
    except Exception as exc:
        missing = [cls.env_name(f) for f, i in cls.model_fields.items() if i.is_required()]
        raise ValueError(
            f"{cls.__name__}: no block named {name!r} and the environment does not set it; "
            f"set {', '.join(missing)} or save a {cls.get_block_type_name()} block"
        ) from exc
