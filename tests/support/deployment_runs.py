"""A flow run created from a deployment, for flow tests that run it in this process (as a worker
would) until it suspends at a gate."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from prefect import Flow
from prefect.client.orchestration import get_client


def deployment_run(flow: Flow[Any, Any], name: str, entrypoint: str, parameters: dict) -> UUID:
    """A scheduled run of `flow`'s deployment `name` (created here) with `parameters`."""
    with get_client(sync_client=True) as client:
        flow_id = client.create_flow(flow)
        deployment_id = client.create_deployment(flow_id, name, entrypoint=entrypoint)
        return client.create_flow_run_from_deployment(deployment_id, parameters=parameters).id
