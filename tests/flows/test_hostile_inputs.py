"""Hostile input end to end, one case per input kind, in the Prefect test harness: a form with a
megabyte name, a line break and control characters; an inbox poll with a MIME bomb and script in
a subject; a purchase order whose PDF is a bomb. Each is refused or contained, the rest goes on."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from csflows import store
from csflows.store.tables import InquiryRow, MessageRow, OrderRow, PoActionRow, TicketRow
from csflows.vetting.inquiries import InquiryRecord
from flows.purchase_orders import handle_purchase_order
from flows.triage import triage_inbox
from flows.vetting import vet_new_customer
from tests.support.artifacts import latest_artifact
from tests.support.hostile import MB, nested_mime, page_bomb
from tests.support.imap import DovecotServer
from tests.support.po_data import po_message, seed_customers
from tests.support.servers import SmtpServer

pytestmark = pytest.mark.integration


def _count(model: Any) -> int:
    with store.session() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def _artifact(key: str) -> str:
    return str(latest_artifact(key))


def test_a_hostile_form_goes_back_with_every_bad_field_named(
    store_ready: Path, smtp_server: SmtpServer
) -> None:
    form = {
        "business_name": "Paper\x00" + "Moon" * 100_000,  # 400 KB (Prefect's limit is 512 KB)
        "contact_name": "Ana\r\nBcc: victim@example.com",
        "dba": "Paper\x00Moon",
        "email": "ana@papermoon.example",
        "division": "Craft & Hobby",
        "address": {"street": "12 Main St", "city": "Austin\u202e", "postal_code": "78701"},
    }
    result = vet_new_customer(form, source="cli")
    assert result.status == "returned_for_completion"
    assert InquiryRecord.load(result.inquiry_id).raw == form  # nothing the applicant sent is lost
    with store.session() as s:
        row = s.get(InquiryRow, result.inquiry_id)
        assert row is not None and row.business_name.startswith("PaperMoonMoon")  # no NUL
        assert len(row.business_name) == 300 and "\x00" not in row.raw

    [letter] = smtp_server.messages
    assert letter.rcpt_tos == ["ana@papermoon.example"] and "Bcc" not in letter.message
    assert letter.text.startswith("Dear Customer,")  # the refused name is not used
    assert "Legal business name: is too long: 400,006 characters; the limit is 200" in letter.text
    assert "Contact name: must be one line without control characters (found U+000D" in letter.text
    assert "(found U+0000 at position 6)" in letter.text
    assert "Address: city: must be one line without control characters (found U+202E" in letter.text
    assert len(letter.text) < 5000 and _count(MessageRow) == 1


@pytest.fixture
def no_routing_targets() -> None:
    """Routing is not under test here: the triage flow test drops the same deployments."""
    from tests.flows.test_triage_flow import _forget_deployments

    _forget_deployments(
        "handle-purchase-order/handle-purchase-order", "vet-new-customer/vet-new-customer"
    )


def test_a_mime_bomb_in_a_poll_goes_to_people_and_the_poll_goes_on(
    store_ready: Path, imap_server: DovecotServer, no_routing_targets: None
) -> None:
    from tests.integration.test_hostile_mail import _mail

    imap_server.append("sales", _mail(1, "Where is my order 5521? <script>alert(1)</script>"))
    imap_server.append("sales", nested_mime(1000, "<bomb@shop.example>"))
    imap_server.append("support", _mail(2, "Where is my order 5522?"))

    summary = triage_inbox()
    assert (summary.stored, summary.triaged, summary.needs_triage) == (3, 3, 1)
    with store.session() as s:
        rows = {r.message_id: r for r in s.scalars(select(TicketRow))}
    bomb = rows["<bomb@shop.example>"]
    assert bomb.status == "needs_triage" and "nested MIME bomb?" in (bomb.parse_error or "")
    for n in (1, 2):
        ordinary = rows[f"<hostile-{n}@brightcrafts.example>"]
        assert ordinary.type == "Sales Order - Sales Order Status Update"
    table = _artifact("triage-inbox")
    assert "<script>" not in table and "&lt;script&gt;alert(1)&lt;/script&gt;" in table
    assert "(unreadable)" in table  # the bomb is listed for people


def test_a_po_pdf_bomb_is_refused_and_an_operator_reads_the_po(
    store_ready: Path, smtp_server: SmtpServer
) -> None:
    seed_customers()
    message = po_message(
        "orders@papergarden.example", "PO attached.", "PO 6001 <img src=x onerror=alert(1)>",
        po=page_bomb(300 * MB),
    )  # fmt: skip
    result = handle_purchase_order(message=message).model_dump(mode="json")
    assert result["action"] == "needs_operator" and result["total"] is None
    assert result["po_number"] == "6001"  # from the subject; the PDF was not read
    markdown = _artifact("po-c-1001-6001")
    assert "refused: the PDF goes over the reading limits" in markdown and "PDF bomb" in markdown
    assert "<img" not in markdown and "&lt;img" in markdown
    assert smtp_server.messages == [] and (_count(OrderRow), _count(PoActionRow)) == (0, 0)
    assert _count(TicketRow) == 1  # the raw message is kept for the operator
