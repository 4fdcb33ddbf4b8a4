"""`csflows demo` starts one handle-purchase-order run per sample PO in config/demo, and says
whether the served vetting checks the sample applicants against the demo world's stand-ins."""

from __future__ import annotations

from pathlib import Path

from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import DeploymentFilter, DeploymentFilterId
from prefect.client.schemas.sorting import FlowRunSort

from cli.demo import (
    IN_THE_DEMO_WORLD,
    NOT_IN_THE_DEMO_WORLD,
    served_world,
    start_sample_purchase_orders,
)
from csflows.paths import config_dir
from deployments.stand_ins.world import TAG
from flows.purchase_orders import handle_purchase_order
from flows.vetting import vet_new_customer


def test_sample_runs_are_started(store_ready: Path) -> None:
    with get_client(sync_client=True) as client:
        flow_id = client.create_flow(handle_purchase_order)
        deployment_id = client.create_deployment(flow_id, "handle-purchase-order")
    lines = list(start_sample_purchase_orders(config_dir() / "demo"))
    assert len(lines) == 7 and all(": started run " in line for line in lines), lines
    with get_client(sync_client=True) as client:
        # this deployment's runs only: the session's harness holds every flow test's runs
        only = DeploymentFilter(id=DeploymentFilterId(any_=[deployment_id]))
        runs = client.read_flow_runs(deployment_filter=only, sort=FlowRunSort.ID_DESC, limit=50)
    started = {line.rpartition(" ")[2] for line in lines}
    senders = sorted(r.parameters["message"]["from"] for r in runs if r.name in started)
    assert len(senders) == 7 and senders[0].startswith("A Stranger")


def test_without_the_deployment_it_says_so(store_ready: Path, tmp_path: Path) -> None:
    (tmp_path / "purchase_orders").mkdir()
    (tmp_path / "purchase_orders" / "1.json").write_text('{"from": "a@b.example"}')
    [line] = start_sample_purchase_orders(tmp_path, "handle-purchase-order/not-served")
    assert line.startswith("purchase order 1.json: not started (")


def test_the_demo_says_when_vetting_is_served_in_the_demo_world() -> None:
    with get_client(sync_client=True) as client:
        flow_id = client.create_flow(vet_new_customer)
        client.create_deployment(flow_id, "demo-world", tags=[TAG])
        client.create_deployment(flow_id, "real-world", tags=["division:craft_hobby"])
    assert served_world("vet-new-customer/demo-world") == IN_THE_DEMO_WORLD
    assert served_world("vet-new-customer/real-world") == NOT_IN_THE_DEMO_WORLD
    assert served_world("vet-new-customer/not-served") == NOT_IN_THE_DEMO_WORLD
    assert "scripts/start --demo" in NOT_IN_THE_DEMO_WORLD and "\n" not in NOT_IN_THE_DEMO_WORLD
