"""Small value types shared by the business models."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from csflows import limits


class Model(BaseModel):
    """Base for every csflows model: unknown keys are errors, strings are stripped."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


def _check_timezone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(
            f"unknown time zone {name!r}; use an IANA name such as America/Chicago"
        ) from exc
    return name


TimeZoneName = Annotated[str, AfterValidator(_check_timezone)]
Money = Annotated[Decimal, Field(max_digits=14, decimal_places=2)]


# Text from outside (forms, imports): one line or several, never control characters, never more
# than its limit (csflows.limits), so that no answer can break a mail header, the store or the UI.
Name = Annotated[str, Field(max_length=limits.NAME_CHARS), AfterValidator(limits.check_line)]
Line = Annotated[str, Field(max_length=limits.LINE_CHARS), AfterValidator(limits.check_line)]
EmailText = Annotated[str, Field(max_length=limits.EMAIL_CHARS), AfterValidator(limits.check_line)]
PhoneText = Annotated[str, Field(max_length=limits.PHONE_CHARS), AfterValidator(limits.check_line)]
UrlText = Annotated[str, Field(max_length=limits.URL_CHARS), AfterValidator(limits.check_line)]
Paragraph = Annotated[str, Field(max_length=limits.TEXT_CHARS), AfterValidator(limits.check_text)]
