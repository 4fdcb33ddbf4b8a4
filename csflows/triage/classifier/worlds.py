"""Mail moved from one world into another: every own and supplier domain of the one rewritten to
the other's, in the addresses and the text. It shows the model mail written in the training
world as a team with other domains receives it (bench/classifier_quality.py --team-world)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from csflows.triage.policy import World


def world_file(path: Path) -> World:
    """The own and supplier domains of a world file (YAML or JSON; other keys, such as the
    company's name, are ignored)."""
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    return World(**{k: document[k] for k in ("own_domains", "supplier_domains") if k in document})


def domain_map(source: World, target: World) -> dict[str, str]:
    """Each of `source`'s domains to the `target` domain in the same place (own to own, supplier
    to supplier, the target's list repeated when it is shorter)."""
    mapping = {}
    for mine, theirs in (
        (source.own_domains, target.own_domains),
        (source.supplier_domains, target.supplier_domains),
    ):
        if mine and not theirs:
            raise ValueError("the target world has no supplier domains to move suppliers to")
        mapping.update({d: theirs[i % len(theirs)] for i, d in enumerate(mine)})
    return mapping


def moved(row: dict[str, Any], source: World, target: World) -> dict[str, Any]:
    """A training-shaped row (from, to, cc, subject, body, attachments) with `source`'s domains
    rewritten to `target`'s wherever they occur, subdomains included (orders.packright.test)."""
    mapping = domain_map(source, target)
    pattern = re.compile(
        r"(?<![\w-])("
        + "|".join(re.escape(d) for d in sorted(mapping, key=len, reverse=True))
        + r")(?![\w-])",
        re.I,
    )

    def rewrite(value: Any) -> Any:
        if isinstance(value, str):
            return pattern.sub(lambda m: mapping[m.group(1).lower()], value)
        if isinstance(value, list):
            return [rewrite(v) for v in value]
        return value

    keys = ("from", "to", "cc", "subject", "body", "attachments")
    return {k: rewrite(v) if k in keys else v for k, v in row.items()}
