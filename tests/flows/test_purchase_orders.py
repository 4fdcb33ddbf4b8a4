"""The handle-purchase-order flow, branch by branch, against a real SMTP server and the store."""

from __future__ import annotations

import threading
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from prefect import flow
from prefect.client.orchestration import get_client
from prefect.context import FlowRunContext
from prefect.flow_runs import pause_flow_run
from sqlalchemy import func, select

from csflows import store
from csflows.errors import PoInputError
from csflows.purchase_orders.records import store_inbound
from csflows.store.tables import InquiryRow, MessageRow, OrderRow, PoActionRow, TicketRow
from csflows.vetting.gates import FirstPurchaseOrder
from flows.purchase_orders import handle_purchase_order
from tests.support.po_data import po_message, seed_customers
from tests.support.po_pdfs import BROKEN_PDF, po_pdf
from tests.support.servers import SmtpServer


@pytest.fixture
def directory(store_ready: Path) -> None:
    seed_customers()


def _count(model: Any) -> int:
    with store.session() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def test_level4_craft_hobby_gets_the_letter_once_and_each_po_its_answer(
    directory: None, smtp_server: SmtpServer
) -> None:
    """Seed 000's letter once per customer; each PO is told whether it was entered or held."""
    message = po_message("shop@lakeviewscrap.example", "PO 7781\nTotal: $120.00")
    first = handle_purchase_order(message=message).model_dump(mode="json")
    again = handle_purchase_order(message=message).model_dump(mode="json")
    assert first["action"] == again["action"] == "minimums_letter"
    assert (first["customer_id"], first["division"], first["level"]) == ("C-1003", "craft_hobby", 4)
    letter, held = smtp_server.to("shop@lakeviewscrap.example")
    assert letter.subject == "Order requirements for your purchase order 7781"
    assert "Effective 6/15/23 new order minimums went into effect." in letter.text
    assert held.subject == "Your purchase order 7781 is on hold: below the $350 minimum order"
    assert "$120 is below the Craft & Hobby minimum order of $350" in held.text
    assert "new purchase order, under a new number, for at least $350" in held.text
    assert (_count(PoActionRow), _count(OrderRow), _count(TicketRow)) == (1, 0, 1)
    with store.session() as s:
        sent = {m.idempotency_key: m for m in s.scalars(select(MessageRow))}
        action = s.scalars(select(PoActionRow)).one()
    assert set(sent) == {"po:C-1003:level4_craft_hobby", "po:C-1003:7781:minimums_letter"}
    answer = sent["po:C-1003:7781:minimums_letter"]
    assert answer.template == action.template == "level4_po_answer"
    assert answer.template_values == action.template_values
    assert action.template_values["customer_name"] == "Lakeview Scrap Shop"  # type: ignore[index]
    assert action.status == "done"
    assert first["order_entered"] is False  # $120 is below the $350 minimum: it waits

    # the next PO: its answer only, not the letter again
    handle_purchase_order(message=po_message("shop@lakeviewscrap.example", "PO 7782\nTotal: 400"))
    entered = smtp_server.to("shop@lakeviewscrap.example")[2:]
    assert [m.subject for m in entered] == ["Your purchase order 7782 is entered"]
    assert "It meets the Craft & Hobby minimum order of $350, and we have entered it." in (
        entered[0].text
    )


def test_level4_craft_hobby_at_the_minimum_gets_the_letter_and_the_order_is_entered(
    directory: None, smtp_server: SmtpServer
) -> None:
    message = po_message("shop@lakeviewscrap.example", "PO 7782\nTotal: $350.00")
    first = handle_purchase_order(message=message).model_dump(mode="json")
    again = handle_purchase_order(message=message).model_dump(mode="json")
    assert first["action"] == again["action"] == "minimums_letter"
    assert first["order_entered"] is again["order_entered"] is True
    assert [m.subject for m in smtp_server.to("shop@lakeviewscrap.example")] == [
        "Order requirements for your purchase order 7782",
        "Your purchase order 7782 is entered",
    ]
    with store.session() as s:
        order = s.scalars(select(OrderRow)).one()
    assert (order.customer_id, order.po_number, order.amount) == ("C-1003", "7782", 350)


def test_level4_floating_luxuries_is_redirected(directory: None, smtp_server: SmtpServer) -> None:
    result = handle_purchase_order(
        message=po_message("buy@sunnypools.example", "PO 55\nTotal: 980.00")
    ).model_dump(mode="json")
    assert result["action"] == "redirect_to_website"
    [mail] = smtp_server.to("buy@sunnypools.example")
    assert "https://floatingluxuries.com/" in mail.text


def test_below_the_minimum_then_a_corrected_po_is_accepted(
    directory: None, smtp_server: SmtpServer
) -> None:
    low = handle_purchase_order(
        message=po_message("orders@papergarden.example", "PO 900\nTotal: 200.00")
    ).model_dump(mode="json")
    assert low["action"] == "minimums_response" and low["total"] == "200.00"
    ok = handle_purchase_order(
        message=po_message("orders@papergarden.example", "PO 901\nTotal: 350.00")
    ).model_dump(mode="json")
    handle_purchase_order(message=po_message("orders@papergarden.example", "PO 901\nTotal: 350.00"))
    assert ok["action"] == "accept"
    with store.session() as s:
        order = s.scalars(select(OrderRow)).one()
    assert (order.customer_id, order.po_number, order.amount, order.source) == (
        "C-1001",
        "901",
        Decimal("350.00"),
        "po",
    )
    assert len(smtp_server.messages) == 1  # the minimums response; an accepted order sends none


@pytest.mark.parametrize("sender", ["po@deskdepot.example", "po@mercurygifts.example"])
def test_level4_where_minimums_apply_without_a_figure_goes_to_the_supervisor_not_accepted(
    directory: None, smtp_server: SmtpServer, sender: str
) -> None:
    result = handle_purchase_order(message=po_message(sender, "PO 12\nTotal: 40.00")).model_dump(
        mode="json"
    )
    assert result["action"] == "supervisor_review" and result["level"] == 4
    assert "minimum order is not configured" in result["reason"]
    assert _count(OrderRow) == 0 and result["order_entered"] is False
    assert smtp_server.to(sender) == []  # the customer is sent nothing
    [mail] = smtp_server.to("cs-supervisor@example.com")
    assert "needs your decision" in mail.message["Subject"]
    assert "minimum order is not configured" in mail.text and "Total: $40" in mail.text


def test_level4_in_a_division_with_none_is_mailed_to_the_supervisor_once(
    directory: None, smtp_server: SmtpServer
) -> None:
    message = po_message("po@glitterbarn.example", "PO 3\nTotal: 75.00")
    result = handle_purchase_order(message=message).model_dump(mode="json")
    handle_purchase_order(message=message)
    assert result["action"] == "supervisor_review"
    assert smtp_server.to("po@glitterbarn.example") == [] and _count(OrderRow) == 0
    [mail] = smtp_server.to("cs-supervisor@example.com")
    assert "level is likely wrong" in mail.text
    assert [a.get_filename() for a in mail.message.iter_attachments()] == ["purchase-order.txt"]
    with store.session() as s:
        assert s.scalars(select(PoActionRow.action)).one() == "supervisor_review"


def test_unknown_sender_goes_to_cs_with_the_po(directory: None, smtp_server: SmtpServer) -> None:
    message = po_message("someone@nowhere.example", "Please ship.", "PO 42", po=po_pdf("42"))
    result = handle_purchase_order(message=message).model_dump(mode="json")
    assert result["action"] == "unknown_sender" and result["customer_id"] is None
    [mail] = smtp_server.to("customerservice@example.com")
    [attached] = list(mail.message.iter_attachments())
    assert attached.get_filename() == "po.pdf" and attached.get_content()[:5] == b"%PDF-"


def test_unreadable_pdf_needs_an_operator_and_sends_nothing(
    directory: None, smtp_server: SmtpServer
) -> None:
    message = po_message("orders@papergarden.example", "PO attached", "PO 77", po=BROKEN_PDF)
    result = handle_purchase_order(message=message).model_dump(mode="json")
    assert result["action"] == "needs_operator" and result["total"] is None
    assert smtp_server.messages == [] and (_count(OrderRow), _count(PoActionRow)) == (0, 0)
    assert _count(TicketRow) == 1  # the raw message is kept for the operator


def test_dry_run_sends_and_stores_nothing(directory: None, smtp_server: SmtpServer) -> None:
    result = handle_purchase_order(
        message=po_message("shop@lakeviewscrap.example", "PO 1\nTotal: 10.00"), dry_run=True
    ).model_dump(mode="json")
    assert result["action"] == "minimums_letter" and result["dry_run"] is True
    assert smtp_server.messages == []
    assert (_count(TicketRow), _count(PoActionRow), _count(MessageRow)) == (0, 0, 0)


def test_a_stored_ticket_by_id(directory: None, smtp_server: SmtpServer) -> None:
    raw = (
        b"From: Paper Garden <orders@papergarden.example>\r\nTo: cs@advantus.test\r\n"
        b"Subject: PO 3003\r\nMessage-ID: <po3003@papergarden.example>\r\n\r\n"
        b"Please enter our order.\r\nOrder total: $1,250.00\r\n"
    )
    ticket_id = store_inbound(
        "<po3003@papergarden.example>", raw, "orders@papergarden.example", "PO 3003", "orders"
    )
    result = handle_purchase_order(ticket_id=ticket_id).model_dump(mode="json")
    assert (result["action"], result["po_number"], result["total"]) == ("accept", "3003", "1250.00")


def test_neither_message_nor_ticket_is_an_error(directory: None) -> None:
    with pytest.raises(PoInputError, match="exactly one of message or ticket_id"):
        handle_purchase_order()


def test_approved_applicants_first_po_resumes_their_vetting(
    directory: None, smtp_server: SmtpServer
) -> None:
    """A stand-in for issue 4's vetting run: it waits at the first-PO gate, paused in-process."""
    _applicant_awaiting_first_po()
    got: dict[str, Any] = {}

    @flow
    def waits_for_first_po() -> None:
        context = FlowRunContext.get()
        assert context and context.flow_run
        with store.session() as s:
            s.scalars(select(InquiryRow)).one().flow_run_id = str(context.flow_run.id)
        answer = pause_flow_run(wait_for_input=FirstPurchaseOrder, timeout=120, poll_interval=1)
        got["answer"] = answer

    waiting = threading.Thread(target=waits_for_first_po)
    waiting.start()
    _wait_until_paused()
    result = handle_purchase_order(
        message=po_message("owner@newshop.example", "PO 1\nTotal: 500.00")
    ).model_dump(mode="json")
    waiting.join(timeout=120)
    assert result["action"] == "resume_vetting"
    assert got["answer"].po_number == "1" and got["answer"].amount == Decimal("500.00")


def test_an_applicants_first_po_below_the_minimum_is_told_the_minimum_and_the_gate_waits(
    directory: None, smtp_server: SmtpServer
) -> None:
    """Seed 001: a $100 first PO to Craft & Hobby neither resumes the vetting (it stays
    awaiting its first PO) nor creates a customer or an order; the applicant gets the minimum."""
    _applicant_awaiting_first_po(flow_run_id="00000000-0000-0000-0000-000000000000")
    result = handle_purchase_order(
        message=po_message("owner@newshop.example", "PO 1\nTotal: 100.00")
    ).model_dump(mode="json")
    assert result["action"] == "minimums_response"
    [mail] = smtp_server.to("owner@newshop.example")
    assert "minimum order is $350" in mail.subject and "add at least $250" in mail.text
    with store.session() as s:
        assert s.scalars(select(InquiryRow.status)).one() == "awaiting_first_po"
        assert s.scalars(select(PoActionRow.status)).one() == "done"
    assert _count(OrderRow) == 0


def _applicant_awaiting_first_po(flow_run_id: str | None = None) -> None:
    """New Shop, approved for Craft & Hobby ($350 minimum order), awaiting its first PO."""
    with store.session() as s:
        s.add(
            InquiryRow(
                dedupe_key="k",
                raw="{}",
                business_name="New Shop",
                email="owner@newshop.example",
                division="craft_hobby",
                status="awaiting_first_po",
                flow_run_id=flow_run_id,
            )
        )


def _wait_until_paused() -> None:
    """Until the stand-in vetting run has recorded its id and is paused at the gate."""
    with get_client(sync_client=True) as client:
        for _ in range(600):
            with store.session() as s:
                run_id = s.scalars(select(InquiryRow.flow_run_id)).one()
            state = client.read_flow_run(UUID(run_id)).state if run_id else None
            if state is not None and state.is_paused():
                return
            threading.Event().wait(0.1)
    raise AssertionError("the vetting stand-in never paused")
