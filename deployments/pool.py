"""Register every deployment of `prefect.yaml` with its process work pool (at scale).

This is what `prefect deploy --all` does with prefect.yaml — each entry's work pool, queue and
job variables (the env that makes the pool's machines share API quotas),
schedules, parameters, tags, concurrency limit, and the project's `pull:` steps — done through
the client, because Prefect 3.8.8's deploy command stops after the first deployment: its "any
worker online?" query sends `limit: null`, which the server refuses (422). Workers then run the
code of their own checkout: the pull step changes to `$CSFLOWS_PROJECT_DIR`. Run as a script, it
then sets the team's API quotas on the server (tasks/quotas.py).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import yaml

from csflows.paths import PROJECT_ROOT
from deployments.serve import build_deployments, deployment_specs, keep_quotas, load_flow


def pull_steps(path: Path | None = None) -> list[dict[str, Any]]:
    """The project's `pull:` steps: how a worker gets to the code before a flow run."""
    path = path or PROJECT_ROOT / "prefect.yaml"
    document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return list(document.get("pull") or [])


def work_pool_of(spec: dict[str, Any]) -> dict[str, Any]:
    """An entry's `work_pool:` (name, optional work_queue_name); a clear error when it has none."""
    pool = spec.get("work_pool") or {}
    if not isinstance(pool, dict) or not pool.get("name"):
        raise ValueError(f"prefect.yaml: deployment {spec.get('name')!r} needs work_pool.name")
    return pool


def deploy_all(path: Path | None = None) -> list[str]:
    """Create or update every deployment on its work pool; returns `flow/deployment` names."""
    from prefect import get_client
    from prefect.utilities.callables import parameter_schema

    specs = deployment_specs(path)
    pools = [work_pool_of(spec) for spec in specs]  # every entry checked before any is sent
    steps = pull_steps(path)
    names = []
    with get_client(sync_client=True) as client:
        for spec, pool, deployment in zip(specs, pools, build_deployments(path), strict=True):
            schema = parameter_schema(load_flow(spec["entrypoint"])).model_dump_for_openapi()
            flow_id = client.create_flow_from_name(deployment.flow_name)
            client.create_deployment(
                flow_id=flow_id,
                name=deployment.name,
                work_pool_name=pool["name"],
                work_queue_name=pool.get("work_queue_name"),
                job_variables=pool.get("job_variables") or {},
                entrypoint=deployment.entrypoint,
                pull_steps=steps,
                schedules=deployment.schedules or [],
                concurrency_limit=deployment.concurrency_limit,
                parameters=deployment.parameters,
                parameter_openapi_schema=schema,
                description=deployment.description,
                tags=deployment.tags,
            )
            names.append(f"{deployment.flow_name}/{deployment.name}")
    return names


if __name__ == "__main__":
    for name in deploy_all(Path(sys.argv[1]) if len(sys.argv) > 1 else None):
        print(f"deployed {name}")
    keep_quotas()
