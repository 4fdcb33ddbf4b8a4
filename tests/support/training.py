"""A small copy of the triage training mail, so tests that train whole models stay fast."""

from __future__ import annotations

import json
import shutil
from collections import defaultdict
from pathlib import Path
from typing import Any

from csflows.paths import PROJECT_ROOT


def small_training_config(
    folder: Path, writers: tuple[str, ...], per_type: int
) -> tuple[Path, list[dict[str, Any]]]:
    """The repository's config copied to `folder/config`, its training mail cut to the first
    `per_type` messages of each type by `writers`; the config folder and those messages."""
    config = folder / "config"
    shutil.copytree(PROJECT_ROOT / "config", config, ignore=shutil.ignore_patterns("*.jsonl"))
    rows: list[dict[str, Any]] = []
    for writer in writers:
        by_type: dict[str, list[str]] = defaultdict(list)
        for line in (PROJECT_ROOT / "config" / "training" / f"{writer}.jsonl").open():
            by_type[json.loads(line)["type"]].append(line)
        kept = [line for lines in by_type.values() for line in lines[:per_type]]
        (config / "training" / f"{writer}.jsonl").write_text("".join(kept))
        rows += [json.loads(line) for line in kept]
    return config, rows
