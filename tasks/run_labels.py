"""Name and tag the running flow once it knows who and what it is about (for operators' filters)."""

from __future__ import annotations

from collections.abc import Iterable

from prefect.client.orchestration import SyncPrefectClient, get_client
from prefect.context import FlowRunContext


def label_current_run(name: str, tags: Iterable[str]) -> None:
    """Rename the current flow run and add `tags`; outside a flow run, nothing. One request,
    on the run's own client when it has a sync one (a new client costs a TLS context and a
    CSRF token first)."""
    context = FlowRunContext.get()
    if context is None or context.flow_run is None:
        return
    run = context.flow_run
    merged = sorted(set(run.tags) | set(tags))
    if isinstance(context.client, SyncPrefectClient):
        context.client.update_flow_run(run.id, name=name, tags=merged)
    else:
        with get_client(sync_client=True) as client:
            client.update_flow_run(run.id, name=name, tags=merged)
    run.name, run.tags = name, merged


def awaiting(role: str) -> None:
    """Tag the current run `awaiting:<role>` before it suspends, in place of the role it waited
    for before, so each role finds what waits for it: the Runs page filtered to state Suspended
    and that tag."""
    context = FlowRunContext.get()
    if context is None or context.flow_run is None:
        return
    run = context.flow_run
    tags = sorted({t for t in run.tags if not t.startswith("awaiting:")} | {f"awaiting:{role}"})
    if isinstance(context.client, SyncPrefectClient):
        context.client.update_flow_run(run.id, tags=tags)
    else:
        with get_client(sync_client=True) as client:
            client.update_flow_run(run.id, tags=tags)
    run.tags = tags


def running_as_deployment() -> bool:
    """Suspending for an operator needs a deployment to resume the run from."""
    context = FlowRunContext.get()
    return bool(context and context.flow_run and context.flow_run.deployment_id)


def current_run_id() -> str | None:
    context = FlowRunContext.get()
    return str(context.flow_run.id) if context and context.flow_run else None
