"""`csflows serve`: run every deployment, against the real world or the demo world's stand-ins."""

from __future__ import annotations

import os

import typer

from csflows import store
from csflows.errors import ConfigError, SettingMissing

DEMO_WORLD = (
    "DEMO WORLD: every vetting is checked against local stand-ins for Google Maps, RDAP and the "
    "applicants' websites (config/demo's applicants only); nothing reaches outside this machine"
)


def serve(
    limit: int = typer.Option(None, help="most flow runs at once"),
    stand_ins: bool = typer.Option(
        False,
        "--stand-ins",
        help="the demo world: check applicants against local stand-ins for Google Maps, RDAP "
        "and their websites, and reach nothing outside (scripts/start --demo)",
    ),
) -> None:
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
    if not stand_ins:
        serve_all(limit=limit)
        return
    from deployments.stand_ins.world import TAG, StandInWorld, point_at, refusal

    if why := refusal(os.environ):
        raise ConfigError(
            f"--stand-ins: {why} (scripts/start --demo starts a demo world of its own)"
        )
    world = StandInWorld().start()
    point_at(world, os.environ)
    typer.echo(DEMO_WORLD, err=True)
    try:
        serve_all(limit=limit, tags=[TAG])
    finally:
        world.stop()
