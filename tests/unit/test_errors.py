"""The tree drawn in `csflows/errors.py`'s docstring is the tree of classes, and its exit-code
table is the one `exit_code` gives: a newcomer reads the drawing, so it may not drift."""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass

import pytest

from csflows import errors
from csflows.errors import CsflowsError, exit_code, is_transient

BRANCH = re.compile(r"^(?P<indent>(?:[│ ]   )*)(?:[├└]── )?(?P<name>\w+)(?P<rest>.*)$")


@dataclass(frozen=True)
class Drawn:
    name: str
    parent: str | None
    transient: bool
    description: str


def drawn_tree(doc: str) -> list[Drawn]:
    """Each class the docstring draws, from the line `CsflowsError` to the first blank line."""
    lines = doc[doc.index("\nCsflowsError\n") + 1 :].split("\n\n")[0].splitlines()
    drawn: list[Drawn] = []
    path: list[str] = []  # the names on the way down to the current line
    for line in lines:
        match = BRANCH.match(line)
        assert match, f"not a line of the tree: {line!r}"
        depth = len(match["indent"]) // 4 + (0 if line == match["name"] else 1)
        path[depth:] = [match["name"]]
        rest = match["rest"].strip()
        drawn.append(
            Drawn(
                name=match["name"],
                parent=path[depth - 1] if depth else None,
                transient=rest.startswith("*"),
                description=rest.lstrip("* ").strip(),
            )
        )
    return drawn


def classes() -> dict[str, type[CsflowsError]]:
    """Every exception class the module defines under the root."""
    return {
        name: value
        for name, value in vars(errors).items()
        if inspect.isclass(value) and issubclass(value, CsflowsError)
    }


DRAWN = drawn_tree(errors.__doc__ or "")


def test_the_drawing_is_read_as_a_tree() -> None:
    by_name = {d.name: d for d in DRAWN}
    assert by_name["CsflowsError"].parent is None
    assert by_name["TransientApiError"].parent == "ApiError"
    assert by_name["FetchRefused"].parent == "FetchError"
    assert by_name["DeliveryError"].parent == "Transient"
    assert by_name["DeliveryError"].transient and not by_name["FetchError"].transient


def test_every_class_is_drawn_once_and_every_drawn_class_exists() -> None:
    names = [d.name for d in DRAWN]
    assert len(names) == len(set(names)), "a class is drawn twice"
    assert sorted(names) == sorted(classes())


@pytest.mark.parametrize("drawn", DRAWN[1:], ids=lambda d: d.name)
def test_each_class_is_drawn_under_its_real_parent_with_a_line_of_its_own(drawn: Drawn) -> None:
    cls = classes()[drawn.name]
    assert drawn.parent in [base.__name__ for base in cls.__bases__]
    assert drawn.description, f"{drawn.name} has no description in the drawing"


@pytest.mark.parametrize("drawn", DRAWN, ids=lambda d: d.name)
def test_the_star_marks_exactly_what_is_transient(drawn: Drawn) -> None:
    cls = classes()[drawn.name]
    instance = cls.__new__(cls)  # is_transient looks at the class only; skip each __init__
    assert drawn.transient == is_transient(instance)


def test_the_exit_code_table_is_the_one_the_command_uses() -> None:
    doc = errors.__doc__ or ""
    table = dict(re.findall(r"^    (\d)  (\w+Error|NotFound|Transient)$", doc, re.MULTILINE))
    assert table == {
        "3": "InputError",
        "4": "ConfigError",
        "5": "NotFound",
        "6": "StateError",
        "7": "ExternalError",
        "8": "Transient",
    }
    for code, branch in table.items():
        cls = classes()[branch]
        assert exit_code(cls.__new__(cls)) == int(code)
    assert exit_code(CsflowsError("no branch")) == 1


def test_a_fault_both_external_and_transient_exits_as_transient() -> None:
    assert exit_code(errors.TransientApiError("Google", "503")) == 8
    assert exit_code(errors.ApiError("Google", "400")) == 7


def test_a_not_found_that_was_a_keyerror_still_is_one_and_reads_without_quotes() -> None:
    missing = errors.DivisionNotFound("unknown division 'x'")
    assert isinstance(missing, KeyError) and isinstance(missing, LookupError)
    assert str(missing) == "unknown division 'x'"
