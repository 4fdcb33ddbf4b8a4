"""Triage's facts for routing: the division a message names, the inquiry form to attach, a
returned form's fields, customers in the retention cadence, applicants awaiting a first PO."""

from __future__ import annotations

import io
import shutil
from datetime import date
from email.message import EmailMessage
from pathlib import Path

import pytest
from pypdf import PdfReader
from reportlab.pdfgen import canvas

from blocks import SmtpServer as SmtpServer_
from blocks import resolve
from csflows import store
from csflows.divisions import divisions
from csflows.outbox import send_email
from csflows.paths import PROJECT_ROOT
from csflows.store.tables import CustomerRow, InquiryRow, TicketRow, TouchpointRow
from csflows.triage.mail.intake import store_raw
from csflows.triage.routing import (
    account_request_reply,
    applicant_awaiting_first_po,
    customer_in_cadence,
    division_named_in,
    inquiry_form,
    inquiry_form_from_ticket,
    pending_ticket_ids,
    record_complaint,
    returned_form_from_ticket,
    triage_tickets,
)
from csflows.vetting.owner import rep_for
from tests.support.scanned_forms import scanned_form
from tests.support.servers import SmtpServer


def test_the_division_a_message_names() -> None:
    assert (
        division_named_in("We'd love to carry Floating Luxuries floats").key == "floating_luxuries"
    )  # type: ignore[union-attr]
    assert division_named_in("craft and hobby supplies").key == "craft_hobby"  # type: ignore[union-attr]
    assert division_named_in("Wyla ribbon and Sulyn glitter") is None  # two named: people decide
    assert division_named_in("a wholesale account please") is None


def test_the_form_attached_prefers_the_division_then_the_standard_form(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "config"
    shutil.copytree(PROJECT_ROOT / "config", config)
    monkeypatch.setenv("CSFLOWS_CONFIG_DIR", str(config))
    standard = inquiry_form(None)
    assert standard.filename == "new_customer_inquiry.pdf"
    assert standard.content == (PROJECT_ROOT / "config/forms/new_customer_inquiry.pdf").read_bytes()
    (config / "forms" / "floating_luxuries.pdf").write_bytes(b"%PDF-division")
    division = (
        divisions()
        .get("Floating Luxuries")
        .model_copy(update={"new_customer_form": "floating_luxuries.pdf"})
    )
    assert inquiry_form(division).content == b"%PDF-division"
    shutil.rmtree(config / "forms")  # none shipped: the same fillable form, built on the spot
    built = inquiry_form(None)
    fields = PdfReader(io.BytesIO(built.content)).get_fields() or {}
    assert built.filename == "new_customer_inquiry.pdf" and {
        "business_name",
        "address.city",
    } <= set(fields)


def _fillable_form(**values: str) -> bytes:
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer)
    for n, (name, value) in enumerate(values.items()):
        page.acroForm.textfield(name=name, value=value, x=72, y=700 - 40 * n, width=300, height=20)
    page.showPage()
    page.save()
    return buffer.getvalue()


def _store(msg: EmailMessage, uid: int = 1) -> int:
    ticket_id = store_raw("sales", 1, uid, msg.as_bytes())
    assert ticket_id is not None
    return ticket_id


def test_a_returned_form_gives_its_fields(store_ready: Path) -> None:
    msg = EmailMessage()
    msg["From"] = "Sunny Diaz <owner@sunnyscrafts.example>"
    msg["To"] = "cs@advantus.com"
    msg["Subject"] = "RE: Your new account request with Craft & Hobby"
    msg["Message-ID"] = "<form-1@sunnyscrafts.example>"
    msg.set_content("Completed form attached.")
    pdf = _fillable_form(
        business_name="Sunny's Crafts LLC",
        website="https://sunnyscrafts.example",
        phone="918-555-0100",
    )
    msg.add_attachment(pdf, "application", "pdf", filename="New_Customer_Inquiry_Form.pdf")
    ticket_id = _store(msg)
    [result] = triage_tickets(pending_ticket_ids())
    assert result.type == "New Customer - Inquiry Form Returned" and result.status == "open"
    form = inquiry_form_from_ticket(ticket_id)
    assert form["email"] == "owner@sunnyscrafts.example" and form["contact_name"] == "Sunny Diaz"
    assert (
        form["business_name"] == "Sunny's Crafts LLC"
        and form["website"] == "https://sunnyscrafts.example"
    )


def test_a_photographed_form_is_read_by_ocr_with_how_it_was_read(store_ready: Path) -> None:
    msg = EmailMessage()
    msg["From"] = "Ana Ruiz <ana@paperlanterncrafts.com>"
    msg["To"] = "cs@advantus.com"
    msg["Subject"] = "RE: Your new account request"
    msg["Message-ID"] = "<form-photo@paperlanterncrafts.example>"
    msg.set_content("Photo of the signed form attached.")
    msg.add_attachment(b"%PDF-1.4 not really", "application", "pdf", filename="w9.pdf")
    msg.add_attachment(scanned_form(fmt="JPEG"), "image", "jpeg", filename="form.jpg")
    ticket_id = _store(msg)
    triage_tickets(pending_ticket_ids())
    form, reading = returned_form_from_ticket(ticket_id)
    assert reading is not None and (reading.filename, reading.method) == ("form.jpg", "OCR")
    assert form["business_name"] == "Paper Lantern Crafts LLC"
    assert form["address"] == {
        "street": "233 S Wacker Dr",
        "city": "Chicago",
        "region": "IL",
        "postal_code": "60606",
    }
    assert "tax_id" not in form  # not on the picture: left for the rep, never guessed


def test_the_account_request_reply(store_ready: Path) -> None:
    msg = EmailMessage()
    msg["From"] = "owner@lakesidepool.example"
    msg["To"] = "cs@advantus.com"
    msg["Subject"] = "Open an account"
    msg["Message-ID"] = "<acct-9@lakesidepool.example>"
    msg.set_content("We would like to carry Floating Luxuries.")
    ticket_id = _store(msg)
    triage_tickets(pending_ticket_ids())
    reply = account_request_reply(ticket_id)
    assert reply.key == f"ticket:{ticket_id}:reply" and reply.to == "owner@lakesidepool.example"
    assert reply.subject == "Your new account request with Floating Luxuries"
    assert reply.body.startswith("Dear Sir or Madam,") and "new_customer_inquiry.pdf" in reply.body
    assert reply.in_reply_to == "<acct-9@lakesidepool.example>" and len(reply.attachments) == 1


def _request(n: int, sender: str, subject: str = "Open an account") -> int:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = sender, "cs@advantus.com", subject
    msg["Message-ID"] = f"<acct-{n}@test>"
    msg.set_content("We would like to open a wholesale account.")
    ticket_id = _store(msg, uid=n)
    triage_tickets(pending_ticket_ids())
    return ticket_id


def test_the_rep_assigned_the_account_request_signs_the_reply_and_owns_the_returned_form(
    store_ready: Path, smtp_server: SmtpServer
) -> None:
    """Seed 001: "The Customer Service rep that is assigned the email will reply", and "the
    Customer Service rep who initiated the process" reviews the returned form."""
    mail = resolve(SmtpServer_)
    first = _request(1, "Ana <ana@shop.example>")
    reply = account_request_reply(first)
    assert reply.body.endswith("Thank you,\nJordan Diaz\nCustomer Service")
    assert reply.values["rep"] == "jordan-diaz"
    assert account_request_reply(first).values["rep"] == "jordan-diaz"  # a retry: the same rep
    send_email(reply, mail)
    second = account_request_reply(_request(2, "bo@store.example"))
    assert second.body.endswith("Casey Wong\nCustomer Service")  # the next rep in rotation
    send_email(second, mail)
    [to_ana] = smtp_server.to("ana@shop.example")
    [to_bo] = smtp_server.to("bo@store.example")
    # the rep who signed, and the inbox triage reads: the returned form must reach csflows
    assert to_ana.message["Reply-To"] == "jordan.diaz@advantus.example, customerservice@example.com"
    assert to_bo.message["Reply-To"] == "casey.wong@advantus.example, customerservice@example.com"
    assert to_ana.message["Cc"] is None  # copied on the outcome only
    with store.session() as s:
        assert s.get(TicketRow, first).assignee == "Jordan Diaz"  # the ticket is the rep's

    returned = _request(3, "Bo <BO@store.example>", "RE: Your new account request")
    assert rep_for(None, returned).key == "casey-wong"  # the rotation would say Jordan Diaz
    assert rep_for("jordan-diaz", returned).key == "jordan-diaz"  # asked for by name


def test_customers_in_the_cadence_and_their_complaints(store_ready: Path) -> None:
    with store.session() as s:
        s.add_all(
            [
                CustomerRow(
                    id="C-1",
                    name="A",
                    email="a@shop.example",
                    division="cop",
                    level=2,
                    status="active",
                ),
                CustomerRow(
                    id="C-2",
                    name="B",
                    email="B@Shop.example",
                    division="cop",
                    level=2,
                    status="ready_for_retention",
                ),
                CustomerRow(
                    id="C-3",
                    name="C",
                    email="c@shop.example",
                    division="cop",
                    level=2,
                    status="active",
                ),
            ]
        )
        s.flush()
        s.add(TouchpointRow(customer_id="C-3", step="welcome", kind="email", due=date(2026, 11, 1)))
    assert customer_in_cadence("a@shop.example") is None
    assert customer_in_cadence("b@shop.example") == "C-2"
    assert customer_in_cadence("c@shop.example") == "C-3"
    assert customer_in_cadence("nobody@shop.example") is None
    first = record_complaint(7, "C-2", "Damaged")
    assert record_complaint(7, "C-2", "Damaged") == first  # once per ticket


def test_an_applicant_awaiting_a_first_po(store_ready: Path) -> None:
    with store.session() as s:
        s.add(
            InquiryRow(
                dedupe_key="k1", raw="{}", email="jake@camp.example", status="awaiting_approval"
            )
        )
        s.add(
            InquiryRow(
                dedupe_key="k2", raw="{}", email="Jake@Camp.example", status="awaiting_first_po"
            )
        )
    assert applicant_awaiting_first_po("jake@camp.example") == 2
    assert applicant_awaiting_first_po("other@camp.example") is None
