"""Links into the Prefect UI that a mail gives a person: the run to answer, and the Runs page
filtered to everything waiting for their role (state Suspended, tag `awaiting:<role>`)."""

from __future__ import annotations

import json
import os
from urllib.parse import quote, urlencode
from uuid import UUID


def ui_base() -> str:
    """The Prefect UI's address: PREFECT_UI_URL, else the API's without `/api`, else the quick
    start's local server (on CSFLOWS_PORT, as scripts/start chooses it)."""
    from prefect.settings import get_current_settings

    settings = get_current_settings()
    local = f"http://127.0.0.1:{os.environ.get('CSFLOWS_PORT') or 4200}"
    ui = settings.ui_url or (settings.api.url or local).removesuffix("/api")
    return str(ui).rstrip("/")


def flow_run_link(flow_run_id: str | UUID) -> str:
    """The run's page in the Prefect UI, where its Resume form is answered."""
    from prefect.utilities.urls import url_for

    return url_for("flow-run", obj_id=str(flow_run_id)) or (
        f"{ui_base()}/runs/flow-run/{flow_run_id}"
    )


def waiting_for(role: str) -> str:
    """The Runs page showing only the runs suspended for `role` (supervisor, operator ...)."""
    query = urlencode({"state": "Suspended", "tag": f"awaiting:{role}"})  # the UI's filter params
    return f"{ui_base()}/runs?{query}"


def run_form(deployment_id: str | UUID, parameters: dict[str, object]) -> str:
    """The deployment's Run form in the UI with `parameters` filled in."""
    filled = quote(json.dumps(parameters, separators=(",", ":")), safe="")
    return f"{ui_base()}/deployments/deployment/{deployment_id}/run?parameters={filled}"
