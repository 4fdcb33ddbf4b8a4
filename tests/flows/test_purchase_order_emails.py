"""Seed 000's responses as a real SMTP server receives them, from POs in bodies and PDFs.

These run the flow (so they live with the session's Prefect harness) against the `smtp_server`
fixture; the wording is checked sentence by sentence against seed 000.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from cli import app
from csflows import store
from csflows.store.tables import MessageRow, OrderRow, PoActionRow
from flows.purchase_orders import handle_purchase_order
from tests.support.po_data import po_message, seed_customers
from tests.support.po_pdfs import po_pdf, scanned_pdf
from tests.support.servers import SmtpServer

pytestmark = pytest.mark.integration

CRAFT_HOBBY_LETTER = [  # seed 000, "Craft & Hobby Level 4 Customers", verbatim
    "As we strive to provide you with the best service and maintain the high standards that define our company, we have implemented some important changes regarding our order requirements.",
    "Effective 6/15/23 new order minimums went into effect. This step is necessary to ensure operational efficiency, streamline processes, and sustain the quality of service you have come to expect from us.",
    "To continue ordering from us, we kindly request that you meet the minimum order requirements specified below:",
    "- Minimum Order Quantities: Inner pack",
    "- Minimum Order: $350",
    "- Annual Minimum: $2,000 (credit cards) or $10,000 (payment terms)",
    "Thank you for your understanding and cooperation as we implement these changes. We look forward to serving you and providing you with exceptional products and services.",
]
FLOATING_LUXURIES_REDIRECT = [  # seed 000, "Floating Luxuries Level 4 Customers", verbatim
    "We hope this email finds you well and excited about your upcoming poolside relaxation. We’re thrilled to introduce you to an effortless and convenient way to place your order for our premium products – the Floating Luxuries website.",
    "By ordering directly from our website, you’ll enjoy access to our complete product range and a seamless shopping experience.",
    "Click here to start exploring our collection and place your order today!",
    "If you need any assistance or have inquiries, feel free to reply to this email or contact our customer support at customerservice@floatingluxuries.com.",
]


@pytest.fixture
def directory(store_ready: Path) -> None:
    seed_customers()


def test_craft_hobby_letter_as_received(directory: None, smtp_server: SmtpServer) -> None:
    message = po_message("shop@lakeviewscrap.example", "See attached.", "Order", po=po_pdf("L-77"))
    handle_purchase_order(message=message)
    mail, answer = smtp_server.to("shop@lakeviewscrap.example")
    assert answer.subject.startswith("Your purchase order L-77 ")  # entered or held
    assert mail.subject == "Order requirements for your purchase order L-77"
    assert mail.message["From"] == "Customer Service <cs@advantus.test>"
    assert mail.text.startswith("Dear Lakeview Scrap Shop:\n")
    for sentence in CRAFT_HOBBY_LETTER:
        assert sentence in mail.text


def test_floating_luxuries_redirect_as_received(directory: None, smtp_server: SmtpServer) -> None:
    handle_purchase_order(message=po_message("buy@sunnypools.example", "PO 55\nTotal: $980.00"))
    [mail] = smtp_server.to("buy@sunnypools.example")
    assert mail.text.startswith("Dear Sunny Pools & Spas,\n")
    for sentence in FLOATING_LUXURIES_REDIRECT:
        assert sentence in mail.text
    assert "https://floatingluxuries.com/" in mail.text


def test_minimums_response_from_a_pdf_with_the_total_only_in_its_table(
    directory: None, smtp_server: SmtpServer
) -> None:
    lines = [
        ("SB-100", "Scrapbook album", 4, "24.50", "98.00"),
        ("ST-22", "Stickers", 20, "5.10", "102.00"),
    ]
    pdf = po_pdf("PG-2001", "$200.00", lines=lines)
    result = handle_purchase_order(
        message=po_message("orders@papergarden.example", "Our order is attached.", "Order", po=pdf)
    ).model_dump(mode="json")
    assert (result["po_number"], result["total"], result["action"]) == (
        "PG-2001",
        "200.00",
        "minimums_response",
    )
    [mail] = smtp_server.to("orders@papergarden.example")
    assert mail.subject == "Your purchase order PG-2001: the Craft & Hobby minimum order is $350"
    assert "Its total of $200 is below the Craft & Hobby minimum order of $350" in mail.text
    assert (
        "required order minimums, outlined in the Minimum Order Guidelines" in mail.text
    )  # seed 000
    assert "- Annual Minimum: $2,000 (credit cards) or $10,000 (payment terms)" in mail.text
    assert "please add at least $150 to it" in mail.text
    with store.session() as s:
        values = s.scalars(select(MessageRow.template_values)).one()
    assert values == {
        "customer_name": "Paper Garden Crafts",
        "po_number": "PG-2001",
        "total": "200.00",
        "division": "craft_hobby",
        "minimum": "350",
        "shortfall": "150.00",
    }


def test_pdf_po_above_the_minimum_is_entered(directory: None, smtp_server: SmtpServer) -> None:
    pdf = po_pdf("PG-2002")  # $375.00, in the table's last row only
    result = handle_purchase_order(
        message=po_message("orders@papergarden.example", "", "Order", po=pdf)
    ).model_dump(mode="json")
    assert (result["action"], result["total"]) == ("accept", "375.00")
    with store.session() as s:
        assert s.scalars(select(OrderRow.amount)).one() == 375
    assert smtp_server.messages == []


def test_a_po_repeated_gets_one_email(directory: None, smtp_server: SmtpServer) -> None:
    """The same PO sent again (a different email: a reminder, a resend) is answered once."""
    first = po_message("shop@lakeviewscrap.example", "PO 7781\nTotal: $120.00", "Order")
    resend = po_message(
        "shop@lakeviewscrap.example", "Did you get this?\nPO 7781\nTotal: $120.00", "Re: Order"
    )
    for message in (first, resend, first):
        assert (
            handle_purchase_order(message=message).model_dump(mode="json")["action"]
            == "minimums_letter"
        )
    assert len(smtp_server.to("shop@lakeviewscrap.example")) == 2  # the letter, the answer
    with store.session() as s:
        assert len(s.scalars(select(PoActionRow)).all()) == 1


def test_unreadable_pdf_sends_nothing(directory: None, smtp_server: SmtpServer) -> None:
    message = po_message(
        "orders@papergarden.example", "PO 8\nTotal: 900.00", "PO 8", scan=scanned_pdf()
    )
    result = handle_purchase_order(message=message).model_dump(mode="json")
    assert result["action"] == "needs_operator"
    assert "scan.pdf: the PDF has no text to read" in result["reason"]
    assert smtp_server.messages == []


def test_cli_prints_the_six_keys(directory: None, smtp_server: SmtpServer, tmp_path: Path) -> None:
    (tmp_path / "po.pdf").write_bytes(po_pdf("C-77", "$1,000.00"))
    file = tmp_path / "po.json"
    file.write_text(
        json.dumps(
            {
                "from": "Paper Garden <orders@papergarden.example>",
                "subject": "PO",
                "body": "Attached.",
                "attachments": [{"path": "po.pdf"}],
            }
        )
    )
    dry = CliRunner().invoke(app, ["po", str(file), "--dry-run", "--json"])
    assert dry.exit_code == 0, dry.output
    assert json.loads(dry.stdout) == {
        "customer_id": "C-1001",
        "division": "craft_hobby",
        "level": 2,
        "po_number": "C-77",
        "total": "1000.00",
        "action": "accept",
        "order_entered": False,  # a dry run enters nothing
    }
    with store.session() as s:
        assert s.scalars(select(OrderRow)).all() == []
    real = CliRunner().invoke(app, ["po", str(file), "--json"])
    assert json.loads(real.stdout)["action"] == "accept"
    assert json.loads(real.stdout)["order_entered"] is True
    with store.session() as s:
        assert s.scalars(select(OrderRow.po_number)).one() == "C-77"


def test_unknown_senders_po_reaches_cs_with_the_po(
    directory: None, smtp_server: SmtpServer
) -> None:
    body = "Hi, please ship the following.\nPO 4242\nTotal: $610.00"
    handle_purchase_order(message=po_message("buyer@stranger.example", body, "New order"))
    handle_purchase_order(message=po_message("buyer@stranger.example", body, "New order"))
    [mail] = smtp_server.to("customerservice@example.com")  # config/purchase_orders.yaml
    assert mail.subject == "PO 4242 from an unknown sender: buyer@stranger.example"
    assert "PO number: 4242\nTotal: $610" in mail.text
    assert mail.text.rstrip().endswith(body)
    [attached] = list(mail.message.iter_attachments())
    assert attached.get_filename() == "purchase-order.txt" and "PO 4242" in attached.get_content()
    assert smtp_server.to("buyer@stranger.example") == []


def test_cli_eml_keeps_the_raw_message_as_a_ticket(
    directory: None, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    from email.message import EmailMessage

    from csflows.store.tables import TicketRow

    msg = EmailMessage()
    msg["From"], msg["To"] = "Sunny Pools <buy@sunnypools.example>", "cs@advantus.test"
    msg["Subject"], msg["Message-ID"] = "PO FL-9", "<fl9@sunnypools.example>"
    msg.set_content("Please ship 20 loungers.")
    msg.add_attachment(
        po_pdf("FL-9", "$2,400.00"), maintype="application", subtype="pdf", filename="FL-9.pdf"
    )
    file = tmp_path / "po.eml"
    file.write_bytes(bytes(msg))
    for _ in range(2):
        result = CliRunner().invoke(app, ["po", str(file), "--json"])
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout)["action"] == "redirect_to_website"
    with store.session() as s:
        ticket = s.scalars(select(TicketRow)).one()
    assert ticket.message_id == "<fl9@sunnypools.example>" and ticket.raw == bytes(msg)
    [mail] = smtp_server.to("buy@sunnypools.example")
    assert mail.message["In-Reply-To"] == "<fl9@sunnypools.example>"
