"""A small copy of the triage training mail, so a test trains in seconds: a model's time grows
with its types (one calibration per type and fold) and with its mail."""

from __future__ import annotations

import json
import shutil
from collections import defaultdict
from collections.abc import Collection, Sequence
from pathlib import Path
from typing import Any

from csflows.paths import PROJECT_ROOT

TRAINING = PROJECT_ROOT / "config" / "training"
SALES_ORDER, LITERAL = "Sales Order - Sales Order Received!", "Purchase - Purchase Order Document"
EIGHT_TYPES = (  # of the thirty: a PO read two ways (seed 004), status updates, quotes, questions
    SALES_ORDER,
    LITERAL,
    "Purchase - Purchase Order Status Update",
    "Sales Order - Sales Order Status Update",
    "QUOTE - Request for Quote",
    "New Customer - Account Request",
    "Customer complaint",
    "Question",
)


def small_training_config(
    config: Path, writers: Sequence[str], per_type: int, types: Collection[str] = ()
) -> list[dict[str, Any]]:
    """A copy of config/ at `config` whose training mail is the first `per_type` messages of
    each type (of `types`, or every type) by `writers`; the rows kept."""
    shutil.copytree(PROJECT_ROOT / "config", config, ignore=shutil.ignore_patterns("training"))
    (config / "training").mkdir()
    rows: list[dict[str, Any]] = []
    for writer in writers:
        by_type: dict[str, list[str]] = defaultdict(list)
        for line in (TRAINING / f"{writer}.jsonl").open():
            kind = json.loads(line)["type"]
            if not types or kind in types:
                by_type[kind].append(line)
        kept = [line for lines in by_type.values() for line in lines[:per_type]]
        (config / "training" / f"{writer}.jsonl").write_text("".join(kept))
        rows += [json.loads(line) for line in kept]
    return rows
