"""`csflows demo` starts one handle-purchase-order run per sample PO in config/demo."""

from __future__ import annotations

from pathlib import Path

from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import DeploymentFilter, DeploymentFilterId
from prefect.client.schemas.sorting import FlowRunSort

from csflows.paths import config_dir
from csflows.purchase_orders.demo import start_sample_runs
from flows.purchase_orders import handle_purchase_order


def test_sample_runs_are_started(store_ready: Path) -> None:
    with get_client(sync_client=True) as client:
        flow_id = client.create_flow(handle_purchase_order)
        deployment_id = client.create_deployment(flow_id, "handle-purchase-order")
    lines = list(start_sample_runs(config_dir() / "demo"))
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
    [line] = start_sample_runs(tmp_path, "handle-purchase-order/not-served")
    assert line.startswith("purchase order 1.json: not started (")
