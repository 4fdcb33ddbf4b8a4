"""Outside text in Prefect artifacts: the UI renders markdown artifacts, and table artifacts' cells,
as markdown (raw HTML included), so names and subjects are made inert before they are published."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from csflows.vetting.scorecard import escape


def inert_table(rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """`rows` with every text cell escaped (numbers and dates as they are)."""
    return [{k: escape(v) if isinstance(v, str) else v for k, v in row.items()} for row in rows]
