"""Seed 002, month 2: a customer's SMS answer to the check-in becomes a ticket of that customer
(read from the local Twilio stand-in's Messages list), once; triage types it, and a complaint
starts the negative-feedback steps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from csflows import store
from csflows.retention.feedback import unhandled_negative_feedback
from csflows.store.tables import TicketRow
from csflows.triage.mail.message import parse_message
from csflows.triage.policy import Route
from csflows.triage.routing import triage_tickets
from tasks.retention import fetch_sms_replies
from tasks.triage import route_ticket_task
from tests.support.retention import add_customers, e164_of, twilio_fixture  # noqa: F401
from tests.support.twilio import FakeTwilio

pytestmark = pytest.mark.integration

COMPLAINT = "I want to file a complaint: the last order arrived damaged and two weeks late."


def test_sms_replies_become_tickets_of_the_customer_once(
    store_ready: Path, twilio: FakeTwilio
) -> None:
    add_customers(2, status="active")
    twilio.receive(e164_of(1), COMPLAINT)
    twilio.receive("+13125559999", "who is this?")  # a number no customer has: kept too
    since = datetime.now(UTC) - timedelta(days=2)

    stored = fetch_sms_replies.fn(since)
    assert len(stored) == 2
    assert fetch_sms_replies.fn(since) == []  # asked again: nothing stored twice

    with store.session() as s:
        rows = list(s.scalars(select(TicketRow).where(TicketRow.id.in_(stored))))
    tickets = {
        parse_message(bytes(r.raw), inbox="sms").sender: (r, parse_message(bytes(r.raw)))
        for r in rows
    }
    row, customer = tickets["buyer1@c.shop.example"]
    assert COMPLAINT in customer.text and customer.subject == f"SMS from {e164_of(1)}"
    assert row.inbox == "sms" and row.status == "received"
    assert "sms-13125559999@sms.invalid" in tickets
    # Twilio was asked for messages TO our number, as its API documents
    [asked, *_] = [r for r in twilio.server.calls(twilio.path) if r.method == "GET"]
    assert asked.query["To"] == ["+15005550006"] and "DateSent>" in asked.query


def test_an_sms_complaint_is_typed_and_starts_the_negative_feedback_steps(
    store_ready: Path, twilio: FakeTwilio
) -> None:
    add_customers(1)  # ready for retention: in the cadence
    twilio.receive(e164_of(1), COMPLAINT)
    [ticket_id] = fetch_sms_replies.fn(datetime.now(UTC) - timedelta(days=1))
    [triaged] = triage_tickets([ticket_id])
    assert triaged.type == "Customer complaint" and triaged.sender == "buyer1@c.shop.example"
    # routed as a complaint (today's classifier may be too unsure to do it by itself: then a
    # person does it from the review queue, with the same route)
    routed = route_ticket_task.fn(ticket_id, Route.COMPLAINT)
    assert routed.customer_id == "C-00001" and routed.feedback_id is not None
    assert unhandled_negative_feedback() == [routed.feedback_id]
