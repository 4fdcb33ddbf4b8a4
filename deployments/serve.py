"""Serve every deployment in `prefect.yaml` from one process (the embedded default).

`prefect.yaml` stays the single list of deployments: `prefect deploy --all` uses it for work
pools at scale, and this module reads the same entries for `csflows serve`.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml
from prefect import Flow
from prefect.logging import get_logger
from prefect.schedules import Cron, Interval, Schedule

from csflows.paths import PROJECT_ROOT

logger = get_logger("csflows.serve")  # under prefect.*: shown on serve's console


def deployment_specs(path: Path | None = None) -> list[dict[str, Any]]:
    """The `deployments:` entries of prefect.yaml."""
    path = path or PROJECT_ROOT / "prefect.yaml"
    document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return list(document.get("deployments") or [])


def load_flow(entrypoint: str) -> Flow[Any, Any]:
    """`flows/vetting.py:vet_new_customer` -> the flow object."""
    file, _, name = entrypoint.partition(":")
    module_name = file.removesuffix(".py").replace("/", ".")
    if str(PROJECT_ROOT) not in sys.path:
        sys.path.insert(0, str(PROJECT_ROOT))
    module = importlib.import_module(module_name)
    flow = getattr(module, name)
    if not isinstance(flow, Flow):
        raise TypeError(f"{entrypoint} is not a Prefect flow")
    return flow


def _schedule(spec: dict[str, Any]) -> Schedule:
    active = spec.get("active", True)
    tz = spec.get("timezone")
    if "cron" in spec:
        return Cron(spec["cron"], timezone=tz, active=active)
    if "interval" in spec:
        return Interval(spec["interval"], timezone=tz, active=active)
    raise ValueError(f"prefect.yaml: schedule {spec!r} needs cron or interval")


def build_deployments(path: Path | None = None, tags: Sequence[str] = ()) -> list[Any]:
    """Every deployment of prefect.yaml as a RunnerDeployment for `prefect.serve`, with `tags`
    added to its own (the demo world's)."""
    deployments = []
    for spec in deployment_specs(path):
        flow = load_flow(spec["entrypoint"])
        deployments.append(
            flow.to_deployment(
                name=spec["name"],
                description=spec.get("description"),
                tags=[*(spec.get("tags") or []), *tags],
                parameters=spec.get("parameters") or {},
                schedules=[_schedule(s) for s in spec.get("schedules") or []],
                concurrency_limit=spec.get("concurrency_limit"),
            )
        )
    return deployments


def keep_automations(deployments: list[Any]) -> None:
    """Create or update csflows' automations (deployments/automations.py); they need the
    check-silent-run deployment's id, so it is registered first. A failure is logged, not fatal:
    serving the deployments matters more."""
    from deployments.automations import CHECK_DEPLOYMENT
    from deployments.automations import keep_automations as keep

    check = next((d for d in deployments if d.name == CHECK_DEPLOYMENT), None)
    if check is None:
        logger.warning("prefect.yaml has no %s deployment: no automations", CHECK_DEPLOYMENT)
        return
    try:
        names = keep(check.apply())
    except Exception:
        logger.exception("could not create or update csflows' automations")
        return
    logger.info("automations in place: %s", ", ".join(sorted(names)))


def keep_quotas() -> None:
    """Create or update every API's quota on the Prefect server, for the whole team on the work
    pool (work-pool.sh; tasks/quotas.py). A failure is logged, not fatal: the first request of
    each API creates its limit too."""
    from tasks.quotas import keep_quotas as keep

    try:
        kept = keep()
    except Exception:
        logger.exception("could not create or update the API quotas")
        return
    logger.info(
        "API quotas in place: %s",
        ", ".join(f"{api} {decay.per_second:.3g}/s" for api, decay in sorted(kept.items())),
    )


SERVED_CODE = "."  # where Prefect registers a served flow's code: the serve process's directory


def take_back_from_pool(deployments: list[Any]) -> list[str]:
    """Deployments the work pool registered under these names (deployments/pool.py) keep no
    code path and may keep pull steps or a storage through serve's update (Prefect updates
    only what a served deployment sets), so their served runs would load code "from storage at
    None" and fail: point them at this process's code, as serve registers a new deployment.
    Returns the `flow/deployment` names changed."""
    from prefect import get_client
    from prefect.client.schemas.actions import DeploymentUpdate
    from prefect.exceptions import ObjectNotFound

    changed = []
    with get_client(sync_client=True) as client:
        for deployment in deployments:
            try:
                found = client.read_deployment_by_name(deployment.full_name)
            except ObjectNotFound:  # new: serve registers it with its code here
                continue
            if found.path == SERVED_CODE and not (found.pull_steps or found.storage_document_id):
                continue
            update = DeploymentUpdate(path=SERVED_CODE, pull_steps=None, storage_document_id=None)
            client.update_deployment(found.id, update)
            changed.append(deployment.full_name)
    if changed:
        logger.info("served here, no longer from the work pool's code: %s", ", ".join(changed))
    return changed


def serve_all(path: Path | None = None, limit: int | None = None, tags: Sequence[str] = ()) -> None:
    """Keep the automations in place, then serve every deployment (with `tags` added, its code
    this process's, also where the work pool deployed it before); blocks until interrupted.
    The API quotas' limits are the pool's (work-pool.sh): a served machine keeps its own
    window (tasks/quotas.py)."""
    from prefect import serve

    deployments = build_deployments(path, tags)
    if not deployments:
        raise SystemExit("prefect.yaml declares no deployments: nothing to serve")
    take_back_from_pool(deployments)
    keep_automations(deployments)
    serve(*deployments, limit=limit)
