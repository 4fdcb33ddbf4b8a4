"""A complete, passing New Customer Inquiry Form to vary in tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from csflows.models import NewCustomerInquiry

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
