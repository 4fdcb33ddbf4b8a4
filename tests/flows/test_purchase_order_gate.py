"""An unreadable PO, run as a deployment, suspends for an operator and resumes with their reading.

The run executes in this process (as a worker would run it); suspending ends it, the operator's
answer through the API resumes it, and the re-run picks the answer up at the same gate.
"""

from __future__ import annotations

import json
from pathlib import Path
from uuid import UUID

import pytest
from prefect.client.orchestration import get_client
from prefect.exceptions import Pause
from prefect.flow_engine import run_flow
from prefect.flow_runs import resume_flow_run
from prefect.input.run_input import keyset_from_paused_state
from sqlalchemy import select, update

from csflows import store
from csflows.store.tables import CustomerRow, OrderRow, PoActionRow
from flows.purchase_orders import PoChoice, handle_purchase_order
from tests.support.deployment_runs import deployment_run
from tests.support.po_data import po_message, seed_customers
from tests.support.po_pdfs import BROKEN_PDF
from tests.support.servers import SmtpServer


def _deployment_run(parameters: dict) -> UUID:
    entrypoint = "flows/purchase_orders.py:handle_purchase_order"
    return deployment_run(handle_purchase_order, "gate-test", entrypoint, parameters)


def _run(flow_run_id: UUID) -> None:
    with get_client(sync_client=True) as client:
        flow_run = client.read_flow_run(flow_run_id)
    run_flow(
        handle_purchase_order,
        flow_run=flow_run,
        parameters=flow_run.parameters,
        return_type="state",
    )


def test_operator_reads_an_unreadable_po(store_ready: Path, smtp_server: SmtpServer) -> None:
    seed_customers()
    message = po_message(
        "orders@papergarden.example", "Attached.", "PO 6001 <script>x</script>", po=BROKEN_PDF
    )
    flow_run_id = _deployment_run({"message": message})

    with pytest.raises(Pause):  # the run suspends; a worker's process would end here
        _run(flow_run_id)
    with get_client(sync_client=True) as client:
        state = client.read_flow_run(flow_run_id).state
        assert state is not None and state.is_paused() and state.name == "Suspended"
        keyset = keyset_from_paused_state(state)
        schema = client.read_flow_run_input(flow_run_id, keyset["schema"])
    assert '"po_number"' in schema and '"total"' in schema
    with store.session() as s:
        assert s.scalars(select(PoActionRow)).all() == []  # nothing decided before the operator

    resume_flow_run(flow_run_id, run_input={"po_number": "6001", "total": "420.00"})
    _run(flow_run_id)

    with get_client(sync_client=True) as client:
        run = client.read_flow_run(flow_run_id)
    assert run.state is not None and run.state.is_completed()
    assert run.name == "po-6001-C-1001" and "division:craft_hobby" in run.tags
    with store.session() as s:
        order = s.scalars(select(OrderRow)).one()
        action = s.scalars(select(PoActionRow)).one()
    assert (order.po_number, order.amount, action.action) == ("6001", 420, "accept")
    artifact = _latest_artifact("po-c-1001-6001")
    markdown = str(artifact["data"])
    assert "read from operator" in markdown and "**Total:** $420" in markdown
    assert "**Service tier:** Standard service" in markdown  # seed 003: no orders, base service
    assert "<script>" not in markdown and "&lt;script&gt;" in markdown  # sender's text is inert
    assert smtp_server.messages == []


def _latest_artifact(key: str) -> dict:
    """The latest artifact under `key`, through the REST API (POST /artifacts/filter)."""
    with get_client(sync_client=True) as client:
        response = client.request(
            "POST",
            "/artifacts/filter",
            json={
                "artifacts": {"key": {"any_": [key]}},
                "sort": "CREATED_DESC",
                "limit": 1,
            },
        )
    [artifact] = response.json()
    return artifact


@pytest.mark.parametrize(
    ("decision", "orders"), [(PoChoice.ENTER_ORDER, 1), (PoChoice.HANDLED_OUTSIDE, 0)]
)
def test_a_supervisor_decides_a_po_the_rules_cannot_answer(
    store_ready: Path, smtp_server: SmtpServer, decision: PoChoice, orders: int
) -> None:
    """COP's former Level 4 with no minimums configured: the run waits for the supervisor, whose
    mail links to it, and does what they decide; both show the customer's tier (seed 003)."""
    seed_customers()
    with store.session() as s:
        s.execute(
            update(CustomerRow).where(CustomerRow.id == "C-1005").values(tier="extra_special")
        )
    flow_run_id = _deployment_run(
        {"message": po_message("po@deskdepot.example", "PO 12\nTotal: 40.00")}
    )

    with pytest.raises(Pause):
        _run(flow_run_id)
    [mail] = smtp_server.to("cs-supervisor@example.com")
    assert str(flow_run_id) in mail.text
    assert "Service tier: Extra special service (More individual attention" in mail.text
    with get_client(sync_client=True) as client:
        state = client.read_flow_run(flow_run_id).state
        assert state is not None and state.name == "Suspended"
        keyset = keyset_from_paused_state(state)
        schema = client.read_flow_run_input(flow_run_id, keyset["schema"])
        description = client.read_flow_run_input(flow_run_id, keyset["description"])
    assert '"enter the order"' in schema and '"I handle it myself"' in schema  # in words
    assert '"Pat Morgan"' in schema  # the reviewer is one of the configured supervisors
    assert json.loads(description).startswith("**Decide: enter the order, or handle it yourself.**")
    assert "Desk Depot" in description and "minimum order is not configured" in description
    assert "for **$40.00**" in description
    assert "(C-1005, Level 4, Extra special service" in json.loads(description)

    with pytest.raises(RuntimeError, match="reviewer"):  # nobody said who decides: refused
        resume_flow_run(flow_run_id, run_input={"decision": decision})
    resume_flow_run(flow_run_id, run_input={"decision": decision, "reviewer": "Pat Morgan"})
    _run(flow_run_id)

    with get_client(sync_client=True) as client:
        run = client.read_flow_run(flow_run_id)
    assert run.state is not None and run.state.is_completed()
    with store.session() as s:
        assert len(s.scalars(select(OrderRow)).all()) == orders
        assert s.scalars(select(PoActionRow.status)).one() == "done"
    assert len(smtp_server.to("cs-supervisor@example.com")) == 1  # asked once
    assert smtp_server.to("po@deskdepot.example") == []
