"""Where csflows keeps its files: the home folder (store, Prefect data) and the policy config."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def home() -> Path:
    """`CSFLOWS_HOME`, default `~/.csflows`; created on first use."""
    path = Path(os.environ.get("CSFLOWS_HOME") or Path.home() / ".csflows").expanduser()
    path.mkdir(parents=True, exist_ok=True)
    return path


def config_dir() -> Path:
    """`CSFLOWS_CONFIG_DIR`, default the repository's `config/` (policy the business edits)."""
    return Path(os.environ.get("CSFLOWS_CONFIG_DIR") or PROJECT_ROOT / "config")
