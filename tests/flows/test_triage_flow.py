"""The triage-inbox flow end to end against real local servers: Dovecot (IMAP, two inboxes),
aiosmtpd (replies), and the Prefect test harness (routing to deployments, the table artifact)."""

from __future__ import annotations

import contextlib
import io
import json
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from prefect import flow
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import DeploymentFilter, DeploymentFilterId
from prefect.client.schemas.sorting import FlowRunSort
from prefect.exceptions import ObjectNotFound
from pypdf import PdfReader
from sqlalchemy import select

from csflows import store
from csflows.store.tables import CustomerRow, FeedbackRow, InquiryRow, TicketRow
from csflows.vetting.forms.pdf import shipped_pdf
from flows.triage import triage_inbox
from tests.support.artifacts import latest_artifact
from tests.support.imap import DovecotServer
from tests.support.servers import SmtpServer

pytestmark = pytest.mark.integration


def _mail(
    n: int,
    sender: str,
    subject: str,
    body: str,
    to: str = "cs@advantus.com",
    attachment: tuple[str, bytes] | None = None,
) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Message-ID"] = f"<flow-{n}@test>"
    msg.set_content(body)
    if attachment:
        msg.add_attachment(attachment[1], "application", "pdf", filename=attachment[0])
    return msg


GARBLED = (
    b"From: who@shop.example\r\nSubject: broken\r\nMessage-ID: <flow-garbled@test>\r\n"
    b"MIME-Version: 1.0\r\nContent-Type: multipart/mixed\r\n\r\nno boundary at all\r\n"
)


def _by_message_id() -> dict[str, TicketRow]:
    with store.session() as s:
        return {r.message_id: r for r in s.scalars(select(TicketRow))}


def _artifact_rows(key: str) -> Any:
    return latest_artifact(key)


@flow(name="vet-new-customer")
def stub_vetting_flow(form: dict, source: str = "ui", ticket_id: int | None = None) -> None:
    """Stands in for issue 4's flow."""


@flow(name="handle-purchase-order")
def stub_purchase_order_flow(
    message: dict | None = None, ticket_id: int | None = None, dry_run: bool = False
) -> None:
    """Stands in for issue 6's flow: only its deployment has to exist for routing."""


def _forget_deployments(*names: str) -> None:
    """The harness is shared by the session: drop target deployments other flow tests applied."""
    with get_client(sync_client=True) as client:
        for name in names:
            with contextlib.suppress(ObjectNotFound):
                client.delete_deployment(client.read_deployment_by_name(name).id)


def test_triage_inbox_types_assigns_resolves_and_routes(
    store_ready: Path, imap_server: DovecotServer, smtp_server: SmtpServer
) -> None:
    _forget_deployments(
        "handle-purchase-order/handle-purchase-order", "vet-new-customer/vet-new-customer"
    )
    with store.session() as s:
        s.add(
            InquiryRow(
                dedupe_key="camp",
                raw="{}",
                email="jake@campgroundstore.example",
                status="awaiting_first_po",
            )
        )
        s.add(
            CustomerRow(
                id="C-100",
                name="Bright Crafts",
                email="Linda@BrightCrafts.example",
                division="craft_hobby",
                level=2,
                status="ready_for_retention",
            )
        )
        s.add(
            CustomerRow(
                id="C-200",
                name="Campus Store",
                email="purchasing@campusstore.example",
                division="cop",
                level=2,
                tier="extra_special",
            )
        )
    rfq = _mail(
        2,
        "ravi@giftbarn.example",
        "RFQ: 40 cases of holiday ribbon",
        "Please quote 40 cases of the Wyla holiday ribbon assortment.",
    )
    for msg in (
        _mail(
            1,
            "Sunny Diaz <owner@sunnyscrafts.example>",
            "New account request",
            "Hi, I run a craft store in Tulsa and would like to open a wholesale account for Craft & Hobby products.",
        ),
        rfq,
        _mail(
            3,
            "mary.callie@advantus.com",
            "Quote Q-20418 - 500 custom binders",
            "Please find attached quote Q-20418.",
            to="purchasing@campusstore.example",
            attachment=("Quote_Q-20418.pdf", b"%PDF-1.4"),
        ),
        _mail(
            4,
            "Linda Park <linda@brightcrafts.example>",
            "Complaint - damaged albums again",
            "Half of the albums arrived crushed. We are very disappointed.",
        ),
        _mail(
            5,
            "purchasing@campusstore.example",
            "Purchase Order 77901",
            "Attached is purchase order 77901.",
            attachment=("PO_77901.pdf", b"%PDF-1.4"),
        ),
    ):
        imap_server.append("sales", msg)
    imap_server.append("sales", GARBLED)
    imap_server.append(
        "support",
        _mail(
            6,
            "owner@sunnyscrafts.example",
            "RE: Your new account request with Craft & Hobby",
            "Completed form attached.",
            attachment=("New_Customer_Inquiry_Form.pdf", b"%PDF-1.4"),
        ),
    )
    imap_server.append(
        "support",
        _mail(
            7,
            "jake@campgroundstore.example",
            "PO CG-001",
            "Our first purchase order CG-001 is attached.",
            attachment=("CG-001.pdf", b"%PDF-1.4"),
        ),
    )
    imap_server.append("support", rfq)  # the same message in the second inbox

    summary = triage_inbox()
    assert summary.stored == 8 and summary.duplicates == 1 and summary.triaged == 8
    tickets = _by_message_id()
    account, quote_request, quote_letter, complaint, po, garbled = (
        tickets[f"<flow-{n}@test>"] for n in (1, 2, 3, 4, 5, "garbled")
    )

    # Account request: the standard reply with the inquiry form, in the thread, once.
    [reply] = smtp_server.to("owner@sunnyscrafts.example")
    assert reply.subject == "Your new account request with Craft & Hobby"
    assert (
        reply.text.startswith("Dear Sunny Diaz,")
        and reply.message["In-Reply-To"] == "<flow-1@test>"
    )
    [form] = list(reply.message.iter_attachments())
    assert form.get_filename() == "new_customer_inquiry.pdf"
    assert "business_name" in (PdfReader(io.BytesIO(form.get_content())).get_fields() or {})
    assert (account.status, account.routed_to) == ("open", "reply:sent")
    # seed 001: the rep assigned the request replies, and is told of the ticket
    assert account.assignee == "Jordan Diaz" and "Jordan Diaz\nCustomer Service" in reply.text
    assert any("Ticket" in m.subject for m in smtp_server.to("jordan.diaz@advantus.example"))

    assert (quote_request.type, quote_request.assignee, quote_request.status) == (
        "QUOTE - Request for Quote",
        "Mary Callie",
        "open",
    )
    assert (quote_letter.type, quote_letter.status, quote_letter.assignee) == (
        "QUOTE - Quote Letter Document",
        "resolved",
        "Customer Service",
    )
    assert garbled.status == "needs_triage" and "broken MIME" in (garbled.parse_error or "")

    # A complaint from a customer in the retention cadence becomes negative feedback.
    assert complaint.type == "Customer complaint"
    with store.session() as s:
        [feedback] = s.scalars(select(FeedbackRow)).all()
    assert (feedback.customer_id, feedback.outcome, feedback.source, feedback.handled_at) == (
        "C-100",
        "negative",
        f"ticket:{complaint.id}",
        None,
    )

    # The PO flow is not deployed here: the ticket stays open and says why.
    assert po.type == "Sales Order - Sales Order Received!" and po.status == "open"
    assert (po.routed_to or "").startswith("error: purchase_order: DeploymentNotServed")
    # Seed 003: an extra special service customer's ticket goes to the person configured for
    # them (config/tiers.yaml), who is told with the tier; it stands first in the open tickets.
    assert po.assignee == "Casey Wong"
    [told] = [m for m in smtp_server.to("casey.wong@advantus.example") if "Ticket" in m.subject]
    assert "Service tier: Extra special service" in told.text
    open_rows: Any = _artifact_rows("open-tickets")
    open_rows = json.loads(open_rows) if isinstance(open_rows, str) else open_rows
    assert open_rows[0]["tier"] == "Extra special service" and open_rows[0]["from"] == po.sender

    rows: Any = _artifact_rows("triage-inbox")
    assert "RFQ: 40 cases of holiday ribbon" in str(rows) and "Mary Callie" in str(rows)

    # Again: nothing new stored, nothing sent twice; once deployed, the PO routes (once).
    form_returned = _by_message_id()["<flow-6@test>"]
    assert form_returned.type == "New Customer - Inquiry Form Returned"
    assert (form_returned.routed_to or "").startswith("error: form_returned: DeploymentNotServed")
    deployment_id = stub_purchase_order_flow.to_deployment(name="handle-purchase-order").apply()
    vetting_id = stub_vetting_flow.to_deployment(name="vet-new-customer").apply()
    again = triage_inbox()
    assert (again.stored, again.triaged, again.routed) == (0, 0, 3)
    assert len(smtp_server.to("owner@sunnyscrafts.example")) == 1
    po = _by_message_id()["<flow-5@test>"]
    target, _, run_id = (po.routed_to or "").partition(":")
    assert target == "handle-purchase-order"
    with get_client(sync_client=True) as client:
        run = client.read_flow_run(UUID(run_id))
    assert run.deployment_id == deployment_id and run.parameters == {"ticket_id": po.id}
    first_po = _by_message_id()["<flow-7@test>"]
    assert (first_po.routed_to or "").startswith("handle-purchase-order:")
    assert (first_po.routed_to or "").endswith("(first PO of inquiry 1)")
    form_returned = _by_message_id()["<flow-6@test>"]
    with get_client(sync_client=True) as client:
        vetting = client.read_flow_run(UUID((form_returned.routed_to or "").partition(":")[2]))
    assert vetting.deployment_id == vetting_id
    assert (
        vetting.parameters["source"] == "email"
        and vetting.parameters["ticket_id"] == form_returned.id
    )
    assert vetting.parameters["form"]["email"] == "owner@sunnyscrafts.example"
    assert triage_inbox().routed == 0
    with store.session() as s:
        assert len(s.scalars(select(FeedbackRow)).all()) == 1


@flow(name="vet-inquiry-burst")
def stub_burst_flow(
    forms: list[dict],
    source: str = "burst",
    rep: str | None = None,
    ticket_ids: list[int] | None = None,
) -> None:
    """Stands in for the burst (issue 24): only its deployment has to exist for routing."""


def _burst_runs() -> list[Any]:
    with get_client(sync_client=True) as client:
        deployment = client.read_deployment_by_name("vet-inquiry-burst/vet-inquiry-burst")
        return client.read_flow_runs(
            deployment_filter=DeploymentFilter(id=DeploymentFilterId(any_=[deployment.id])),
            sort=FlowRunSort.ID_DESC,
            limit=10,
        )


def test_returned_forms_found_in_one_run_are_checked_in_one_burst_started_once(
    store_ready: Path, imap_server: DovecotServer, smtp_server: SmtpServer
) -> None:
    _forget_deployments("vet-inquiry-burst/vet-inquiry-burst")
    burst_id = stub_burst_flow.to_deployment(name="vet-inquiry-burst").apply()
    senders = ["owner@sunnyscrafts.example", "buyer@hobbyhaven.example"]
    for n, sender in enumerate(senders, start=20):
        form = ("New_Customer_Inquiry_Form.pdf", shipped_pdf().read_bytes())  # csflows' own
        subject = "RE: Your new account request with Craft & Hobby"
        imap_server.append(
            "sales", _mail(n, sender, subject, "Completed form attached.", attachment=form)
        )

    assert triage_inbox().routed == 2

    tickets = [_by_message_id()[f"<flow-{n}@test>"] for n in (20, 21)]
    assert {t.type for t in tickets} == {"New Customer - Inquiry Form Returned"}
    [burst] = _burst_runs()
    assert {t.routed_to for t in tickets} == {f"vet-inquiry-burst:{burst.id}"}
    assert burst.deployment_id == burst_id and burst.parameters["source"] == "email"
    assert burst.parameters["ticket_ids"] == [t.id for t in tickets]
    assert [f["email"] for f in burst.parameters["forms"]] == senders

    # A triage run killed after starting the burst, before keeping where the forms went: the
    # next run routes them again, to the same burst.
    with store.session() as s:
        for ticket in tickets:
            row = s.get(TicketRow, ticket.id)
            assert row is not None
            row.routed_to = None
    assert triage_inbox().routed == 2
    assert [r.id for r in _burst_runs()] == [burst.id]
    assert {_by_message_id()[f"<flow-{n}@test>"].routed_to for n in (20, 21)} == {
        f"vet-inquiry-burst:{burst.id}"
    }
    assert triage_inbox().routed == 0
