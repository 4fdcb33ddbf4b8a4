"""Reading a PO's number, lines and total from a body or a PDF; never guessing (seed 000)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from csflows.errors import UnreadablePdf
from csflows.models.purchase_order import PoAttachment, PoEmail
from csflows.purchase_orders.reading import (
    line_items,
    pdf_text,
    po_numbers,
    read_purchase_order,
    read_text,
    stated_totals,
)
from tests.support.po_pdfs import BROKEN_PDF, po_pdf, scanned_pdf


def _email(body: str = "", subject: str = "", *pdfs: tuple[str, bytes]) -> PoEmail:
    return PoEmail(
        sender="buyer@shop.example",
        subject=subject,
        body=body,
        attachments=[
            PoAttachment(filename=n, content_type="application/pdf", content=c) for n, c in pdfs
        ],
    )


@pytest.mark.parametrize(
    ("text", "numbers"),
    [
        ("PO Number: 88412", ["88412"]),
        ("Purchase Order #4512-A attached", ["4512-A"]),
        ("P.O. No. 7781", ["7781"]),
        ("PO# 1002\nShip to: P.O. Box 12, Austin", ["1002"]),
        ("Our pool floats order, PO date 11/05", []),
        ("PO-4512 and again PO4512, P.O. #4512, PO Number: PO-4512", ["4512"]),
        ("po number: ab-77", ["AB-77"]),
        ("Purchase order from Acme", []),
    ],
)
def test_po_numbers(text: str, numbers: list[str]) -> None:
    assert po_numbers(text) == numbers


@pytest.mark.parametrize(
    ("text", "totals"),
    [
        ("Subtotal: $300.00\nShipping: 20.00\nTotal: $320.00", [Decimal("320.00")]),
        ("Total Qty: 50\nOrder Total $1,250.50", [Decimal("1250.50")]),
        ("Total\n$375.00", [Decimal("375.00")]),
        ("Total: 100.00\nGrand Total: 108.25", [Decimal("108.25")]),
        ("Total: 100.00\nTotal: 120.00", [Decimal("100.00"), Decimal("120.00")]),
        ("no amounts here", []),
    ],
)
def test_stated_totals(text: str, totals: list[Decimal]) -> None:
    assert stated_totals(text) == totals


def test_line_items_need_quantity_times_price() -> None:
    items = line_items("SB-100  Scrapbook album  10  24.50  245.00\nBogus line 3 1.00 9.00")
    assert [(i.description, i.quantity, i.amount) for i in items] == [
        ("SB-100 Scrapbook album", 10, Decimal("245.00"))
    ]


def test_body_po_with_total() -> None:
    reading = read_purchase_order(_email("Please ship.\nPO 4512\nTotal: $1,200.00", "Order"))
    assert (reading.po_number, reading.total, reading.readable) == (
        "4512",
        Decimal("1200.00"),
        True,
    )


def test_total_from_lines_when_none_is_stated() -> None:
    reading = read_text("PO 9\nA-1 Album 2 10.00 20.00\nB-2 Stickers 5 1.50 7.50", "body")
    assert reading.total == Decimal("27.50") and len(reading.lines) == 2


def test_total_below_its_lines_is_a_problem() -> None:
    reading = read_text("PO 9\nA-1 Album 2 10.00 20.00\nTotal: 5.00", "body")
    assert not reading.readable and "less than its lines" in reading.problems[0]


def test_pdf_total_only_in_a_table() -> None:
    reading = read_purchase_order(_email("See attached.", "Order", ("po-88412.pdf", po_pdf())))
    assert reading.readable, reading.problems
    assert (reading.po_number, reading.total, reading.source) == (
        "88412",
        Decimal("375.00"),
        "po-88412.pdf",
    )
    assert [line.quantity for line in reading.lines] == [10, 40]


def test_pdf_po_number_from_subject_when_the_pdf_has_none() -> None:
    pdf = po_pdf(po_number="(see email)")
    reading = read_purchase_order(_email("", "PO 5555", ("po.pdf", pdf)))
    assert (reading.po_number, reading.total) == ("5555", Decimal("375.00"))


@pytest.mark.parametrize("content", [BROKEN_PDF, scanned_pdf()], ids=["broken", "scanned"])
def test_unreadable_pdf_is_never_guessed(content: bytes) -> None:
    with pytest.raises(UnreadablePdf):
        pdf_text(content)
    reading = read_purchase_order(_email("PO 4512\nTotal: 900.00", "PO", ("po.pdf", content)))
    assert not reading.readable
    assert reading.problems[0].startswith("po.pdf: ")


def test_missing_total_is_a_problem() -> None:
    reading = read_purchase_order(_email("PO 4512, please ship the usual.", "Order"))
    assert reading.problems == ["no total found"] and reading.po_number == "4512"
