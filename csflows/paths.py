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


def cache_dir() -> Path:
    """`CSFLOWS_CACHE_DIR`, default `~/.cache/csflows`: what can be rebuilt from the repository
    (the shipped triage model), shared by every home on the machine; created on first use."""
    default = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "csflows"
    path = Path(os.environ.get("CSFLOWS_CACHE_DIR") or default).expanduser()
    path.mkdir(parents=True, exist_ok=True)
    return path


def config_dir() -> Path:
    """`CSFLOWS_CONFIG_DIR`, default the repository's `config/` (policy the business edits)."""
    return Path(os.environ.get("CSFLOWS_CONFIG_DIR") or PROJECT_ROOT / "config")
