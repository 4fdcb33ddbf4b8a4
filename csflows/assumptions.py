"""Every value in `config/` that the seeds do not give, with the reason it was chosen, so the
business reads one list to confirm or change them (`csflows policy assumptions`).

A value is marked where it stands: a comment `# assumption: <why>` on the key's line, or on its
own line(s) just above the key. A letter whose wording the seeds do not give is one too
(`config/letters.yaml`, `wording: assumption`).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from csflows.errors import PolicyError
from csflows.letters import catalog
from csflows.models.common import Model
from csflows.paths import config_dir

_MARK = re.compile(r"#\s*assumption:\s*(?P<why>.*)$", re.IGNORECASE)


class Assumption(Model):
    """One value the business should confirm: where it is, what it is, and why it was chosen."""

    file: str
    key: str
    value: Any
    why: str


def _keys(node: yaml.Node, path: str = "") -> list[tuple[int, str, yaml.Node]]:
    """(line, dotted key path, value node) of every mapping key in the document, in order."""
    found: list[tuple[int, str, yaml.Node]] = []
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = f"{path}.{key_node.value}" if path else str(key_node.value)
            found.append((key_node.start_mark.line, key, value_node))
            found.extend(_keys(value_node, key))
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            found.extend(_keys(item, f"{path}[{index}]"))
    return found


def _marks(lines: list[str]) -> list[tuple[int, int, str]]:
    """(first line, last line, why) of each `# assumption:` comment, joined with the comment
    lines that continue it."""
    marks: list[tuple[int, int, str]] = []
    index = 0
    while index < len(lines):
        match = _MARK.search(lines[index])
        if not match:
            index += 1
            continue
        why, start = match["why"].strip(), index
        if lines[index].lstrip().startswith("#"):  # a comment of its own: it may go on
            while index + 1 < len(lines) and re.match(
                r"^\s*#\s*(?!assumption:)\S", lines[index + 1]
            ):
                why += " " + lines[index + 1].strip().lstrip("#").strip()
                index += 1
        marks.append((start, index, why))
        index += 1
    return marks


def in_file(path: Path) -> list[Assumption]:
    """The assumptions marked in one YAML file."""
    text = path.read_text()
    try:
        document = yaml.compose(text)
    except yaml.YAMLError as exc:
        raise PolicyError(f"{path.name}: not valid YAML: {exc}") from exc
    if document is None:
        return []
    keys = _keys(document)
    found = []
    for first, last, why in _marks(text.splitlines()):
        on_line = [k for k in keys if k[0] == first]
        below = [k for k in keys if k[0] > last]
        if not (target := (on_line or below)[:1]):
            raise PolicyError(f"{path.name}: line {first + 1}: an assumption marks no key")
        _, key, node = target[0]
        value = yaml.safe_load(yaml.serialize(node))
        found.append(Assumption(file=path.name, key=key, value=value, why=why))
    return found


def all_assumptions(folder: Path | None = None) -> list[Assumption]:
    """Every marked value of every file in `config/`, then every letter whose wording is ours."""
    folder = folder or config_dir()
    found = [a for path in sorted(folder.glob("*.yaml")) for a in in_file(path)]
    for name, letter in sorted(catalog().letters.items()):
        if letter.wording == "assumption":
            found.append(
                Assumption(
                    file=f"templates/{name}.txt.j2",
                    key="wording",
                    value=f"letter to {letter.audience}",
                    why=letter.why,
                )
            )
    return found
