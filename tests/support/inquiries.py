"""A complete, passing New Customer Inquiry Form to vary in tests, and vetting policy to match."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import yaml

from csflows.models import NewCustomerInquiry
from csflows.paths import PROJECT_ROOT

COMPLETE_FORM = Path(__file__).parents[1] / "fixtures" / "forms" / "complete.json"


def form_data(**changes: Any) -> dict[str, Any]:
    data = json.loads(COMPLETE_FORM.read_text())
    address = changes.pop("address", None)
    if address:
        data["address"] = {**data["address"], **address}
    data.update(changes)
    return data


def inquiry(**changes: Any) -> NewCustomerInquiry:
    return NewCustomerInquiry.model_validate(form_data(**changes))


def short_timeouts_config(folder: Path, **lookups: float) -> Path:
    """A copy of config/ whose vetting.yaml has short website timeouts and these `lookups`
    (timeout_seconds): point CSFLOWS_CONFIG_DIR at it."""
    shutil.copytree(PROJECT_ROOT / "config", folder)
    policy = yaml.safe_load((folder / "vetting.yaml").read_text())
    policy["lookups"] |= lookups
    policy["website"] |= {
        "connect_timeout_seconds": 0.5,
        "read_timeout_seconds": 0.5,
        "total_timeout_seconds": 1,
    }
    (folder / "vetting.yaml").write_text(yaml.safe_dump(policy))
    return folder
