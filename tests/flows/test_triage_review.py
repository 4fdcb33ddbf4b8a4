"""The review-ticket gate as a deployment would run it: an extra special service customer's
ticket suspends with the tier in its description and the tags that put it first (seed 003)."""

from __future__ import annotations

import json
from email.message import EmailMessage
from pathlib import Path

import pytest
from prefect.client.orchestration import get_client
from prefect.exceptions import Pause
from prefect.flow_engine import run_flow
from prefect.input.run_input import keyset_from_paused_state

from csflows import store
from csflows.store.tables import CustomerRow, TicketRow
from csflows.triage.mail import intake
from flows.triage import review_ticket
from tests.support.deployment_runs import deployment_run


def _unsure_ticket(sender: str) -> int:
    message = EmailMessage()
    message["From"], message["To"] = sender, "cs@advantus.com"
    message["Subject"], message["Message-ID"] = "hello", "<review-tier@shop.example>"
    message.set_content("See you then.")
    ticket_id = intake.store_message("default", bytes(message))
    with store.session() as s:
        row = s.get(TicketRow, ticket_id)
        assert row is not None
        row.status, row.assignee, row.sender, row.subject = (
            "needs_triage", "Customer Service", sender, "hello",
        )  # fmt: skip
        row.parsed = {"text": "See you then.", "attachments": []}
        row.guesses = [["Question", 0.4], ["Task", 0.3], ["Customer complaint", 0.1]]
    return ticket_id


def test_an_extra_special_customers_review_shows_the_tier_and_is_tagged_first(
    store_ready: Path,
) -> None:
    with store.session() as s:
        s.add(
            CustomerRow(
                id="C-9", name="Campus Store", email="vip@shop.example", division="cop",
                level=2, tier="extra_special",
            )
        )  # fmt: skip
    ticket_id = _unsure_ticket("vip@shop.example")
    flow_run_id = deployment_run(
        review_ticket, "review-tier-test", "flows/triage.py:review_ticket", {"ticket_id": ticket_id}
    )
    with get_client(sync_client=True) as client:
        flow_run = client.read_flow_run(flow_run_id)

    with pytest.raises(Pause):  # the run suspends for a person
        run_flow(review_ticket, flow_run=flow_run, parameters=flow_run.parameters)

    with get_client(sync_client=True) as client:
        run = client.read_flow_run(flow_run_id)
        assert run.state is not None and run.state.name == "Suspended"
        keyset = keyset_from_paused_state(run.state)
        description = json.loads(client.read_flow_run_input(flow_run_id, keyset["description"]))
    assert {"awaiting:cs", "tier:extra_special", "first-in-queue"} <= set(run.tags)
    first = description.splitlines()[0]
    assert first.endswith("First in the queue: a customer of **Extra special service**.")
    assert "**Service tier:** Extra special service" in description
