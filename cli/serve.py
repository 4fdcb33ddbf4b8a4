"""`csflows serve` and `csflows demo`: run the deployments, and show a new user something."""

from __future__ import annotations

import os
from pathlib import Path

import typer

from csflows import store
from csflows.errors import SettingMissing


def serve(limit: int = typer.Option(None, help="most flow runs at once")) -> None:
    """Serve every deployment in prefect.yaml in this process (needs PREFECT_API_URL)."""
    from deployments.serve import serve_all
    from tasks.deployment_runs import require_prefect_server

    if not os.environ.get("PREFECT_API_URL"):
        raise SettingMissing(
            "PREFECT_API_URL is not set: start a Prefect server and point PREFECT_API_URL at it "
            "(scripts/start does both)"
        )
    require_prefect_server()
    store.upgrade()
    serve_all(limit=limit)


def demo(
    data: Path = typer.Option(None, help="folder with customers.csv (default: config/demo)"),
) -> None:
    """Load sample customers and start sample runs, so the UI has something to show."""
    from csflows import demo as demo_module

    store.upgrade()
    for line in demo_module.run(data):
        typer.echo(line)
