"""Hostile input at each boundary, as plain functions: over-long answers and control characters
refused by field, subjects on one line, PDF bombs and MIME bombs refused within bounded memory."""

from __future__ import annotations

import json
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest

from csflows import limits
from csflows.errors import (
    FormError,
    HeaderInjectionError,
    MailParseError,
    PoInputError,
    UnreadablePdf,
)
from csflows.markdown import inert_table
from csflows.models import Customer, MissingField
from csflows.outbox import OutgoingEmail, build_email
from csflows.people import people
from csflows.purchase_orders.inbound import from_eml, from_json
from csflows.purchase_orders.reading import pdf_text
from csflows.templates import render
from csflows.triage.mail import message
from csflows.vetting import letters
from csflows.vetting.forms.pdf import read_pdf_form
from csflows.vetting.forms.reading import inquiry_from_data, read_form
from tests.support import hostile
from tests.support.inquiries import form_data

MEGABYTE_OF_TEXT = "x" * 1_000_000


def _refused(data: dict[str, object]) -> dict[str, str]:
    _form, problems = inquiry_from_data(data)
    return {p.field: p.reason for p in problems}


# --- forms: over-long answers and control characters are refused, by field --------------------


def test_a_megabyte_answer_is_refused_naming_the_field_and_its_limit() -> None:
    refused = _refused(form_data(business_name=MEGABYTE_OF_TEXT, current_products=MEGABYTE_OF_TEXT))
    assert refused["business_name"] == "is too long: 1,000,000 characters; the limit is 200"
    assert refused["current_products"] == "is too long: 1,000,000 characters; the limit is 5,000"


@pytest.mark.parametrize(
    ("field", "value", "found"),
    [
        ("business_name", "Acme\r\nBcc: victim@example.com", "U+000D at position 5"),
        ("contact_name", "Ana\nRuiz", "U+000A at position 4"),
        ("dba", "Null\x00Shop", "U+0000 at position 5"),
        ("tax_id", "\x1b[31mred", "U+001B at position 1"),
        ("business_name", "Shop \u202egnp.exe", "U+202E at position 6"),  # right-to-left override
        ("website", "https://shop.example/\u2028x", "U+2028 at position 22"),
    ],
)
def test_control_characters_are_refused_naming_the_field(
    field: str, value: str, found: str
) -> None:
    assert _refused(form_data(**{field: value}))[field] == (
        f"must be one line without control characters (found {found})"
    )


def test_free_text_may_span_lines_but_holds_no_control_characters() -> None:
    assert "current_products" not in _refused(form_data(current_products="Cards\nStickers\tpens"))
    refused = _refused(form_data(current_products="Cards\x00", address={"city": "Austin\x07"}))
    assert "U+0000" in refused["current_products"] and "U+0007" in refused["address.city"]


def test_too_many_product_lines_and_too_large_an_amount() -> None:
    refused = _refused(form_data(product_lines=["cards"] * 60, first_order_amount="9" * 30))
    assert refused["product_lines"] == "has too many entries; the limit is 50"
    assert refused["first_order_amount"] == "is too large an amount; at most 14 digits"


def test_a_form_file_over_the_limit_is_refused_before_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "form.json"
    path.write_text(json.dumps(form_data(current_products="y" * (limits.FORM_FILE_BYTES + 1))))
    with pytest.raises(FormError, match=r"the form file: [\d,]+ bytes; the limit is 2,097,152"):
        read_form(path)


def test_a_thousand_unknown_keys_give_a_short_error() -> None:
    with pytest.raises(FormError) as caught:
        inquiry_from_data({f"key{n}\x00" + "k" * 1000: 1 for n in range(1000)})
    assert len(str(caught.value)) < 1000 and "and 990 more" in str(caught.value)
    assert "\x00" not in str(caught.value)


def test_a_customer_import_row_with_a_control_character_is_refused() -> None:
    with pytest.raises(ValueError, match="name"):
        Customer(id="C-1", name="Bad\x1bName", email="a@b.example", division="craft_hobby", level=1)


# --- mail we send: subjects on one line, one recipient, no control characters ------------------


def test_a_line_break_in_a_business_name_stays_in_the_subject_line() -> None:
    letter = render(
        "vetting_request_info",
        contact_name="Ana",
        business_name="Acme\r\nBcc: x@y\n\nHi",
        note="?",
        rep_name="Jordan Diaz",
    )
    assert letter.subject == "A question about your new account request for Acme Bcc: x@y Hi"
    assert letter.body.startswith("Dear Ana,")  # nothing moved from the subject into the body


def test_the_incomplete_letter_greets_only_with_names_that_were_accepted() -> None:
    raw = form_data(contact_name="Ana\r\nBcc: x@y", business_name=MEGABYTE_OF_TEXT)
    missing = [
        MissingField(field="contact_name", reason="must be one line"),
        MissingField(field="business_name", reason="is too long"),
    ]
    letter = letters.incomplete(7, 1, "ana@papermoon.example", raw, missing, people().supervisor)
    assert letter.body.startswith("Dear Customer,") and "your business" in letter.body
    assert len(letter.body) < 2000


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"subject": "Hi\x1b[2J"}, "subject: a control character is not allowed in a mail header"),
        ({"subject": "Hi\u202e"}, "subject: a control character"),
        ({"to": "a@shop.example, b@else.example"}, "to: one email address expected"),
        ({"subject": "s" * 20_000}, "subject: 20,000 characters; the limit is 16,000"),
    ],
)
def test_the_outbox_refuses_headers_that_could_mislead(changes: dict[str, str], error: str) -> None:
    values = {"key": "k", "to": "a@shop.example", "subject": "Hi", "body": "x\n"} | changes
    with pytest.raises(HeaderInjectionError, match=error):
        build_email(OutgoingEmail(**values), "cs@advantus.test")


# --- PDF bombs: refused within bounded memory ----------------------------------------------------


def _peak_megabytes(read: Callable[[], object]) -> float:
    tracemalloc.start()
    try:
        read()
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return peak / 1e6


def test_a_po_pdf_bomb_is_refused_within_bounded_memory() -> None:
    bomb = hostile.page_bomb(300 * hostile.MB)
    assert len(bomb) < 1_000_000  # 300 MB when decompressed

    def read() -> None:
        with pytest.raises(UnreadablePdf, match=r"refused: .*PDF bomb\?.*20,971,520 bytes"):
            pdf_text(bomb)

    assert _peak_megabytes(read) < 3 * limits.PDF_STREAM_BYTES / 1e6  # never the 300 MB
    assert message.pdf_text(bomb) == ""  # as a mail attachment: listed, not read


def test_an_inquiry_form_pdf_bomb_is_refused_within_bounded_memory(tmp_path: Path) -> None:
    path = tmp_path / "form.pdf"
    path.write_bytes(hostile.form_bomb(300 * hostile.MB))

    def read() -> None:
        with pytest.raises(FormError, match=r"form.pdf: refused: .*PDF bomb\?"):
            read_pdf_form(path)

    assert _peak_megabytes(read) < 3 * limits.PDF_STREAM_BYTES / 1e6


def test_a_pdf_of_too_many_pages_is_refused(tmp_path: Path) -> None:
    pages = hostile.many_pages(limits.PDF_PAGES + 10)
    with pytest.raises(UnreadablePdf, match="the PDF: 60 pages; the limit is 50"):
        pdf_text(pages)
    path = tmp_path / "form.pdf"
    path.write_bytes(pages)
    with pytest.raises(FormError, match="the PDF: 60 pages; the limit is 50"):
        read_pdf_form(path)


def test_a_pdf_of_deeply_nested_objects_is_contained() -> None:
    with pytest.raises(UnreadablePdf):
        pdf_text(hostile.nested_objects(5000))


def test_a_pdf_over_the_file_size_limit_is_not_opened() -> None:
    with pytest.raises(UnreadablePdf, match="10,485,761 bytes; the limit is 10,485,760"):
        pdf_text(b"%PDF-1.4\n" + b" " * (limits.PDF_FILE_BYTES - 8))


# --- mail we receive: MIME bombs and giant headers are refused, big bodies shortened -----------


def test_a_deeply_nested_message_is_refused_with_a_clear_reason() -> None:
    raw = hostile.nested_mime(1000, "<deep@test>")
    with pytest.raises(MailParseError) as caught:
        message.parse_message(raw)
    assert str(caught.value) == (
        "<deep@test>: MIME sections (multipart or attached messages): 1,000 sections; "
        "the limit is 50; a nested MIME bomb? Read it in the mail client"
    )
    assert message.header_summary(raw) == ("deep@shop.example", "Order status")
    with pytest.raises(PoInputError, match="message: <deep@test>: MIME sections"):
        from_eml(raw)


def test_a_moderately_nested_message_still_reads() -> None:
    assert message.parse_message(hostile.nested_mime(20, "<ok@test>")).text.startswith("Where is")


def test_a_megabyte_subject_is_refused_and_summarised_short() -> None:
    raw = (
        b"From: big@shop.example\r\nTo: cs@advantus.com\r\nMessage-ID: <big@test>\r\n"
        b"Subject: " + b"order " * 200_000 + b"\r\n\r\nHello\r\n"
    )
    with pytest.raises(MailParseError, match="the Subject header: 1,200,000 characters"):
        message.parse_message(raw)
    sender, subject = message.header_summary(raw)
    assert sender == "big@shop.example" and len(subject) == limits.MAIL_SUBJECT_CHARS


def test_a_megabyte_body_is_kept_shortened_and_control_characters_dropped() -> None:
    raw = (
        b"From: =?utf-8?q?Evil=1B=0D=0ABcc:_x@y?= <big@shop.example>\r\nTo: cs@advantus.com\r\n"
        b"Message-ID: <body@test>\r\nSubject: Order\x00 status \xe2\x80\xae5521\r\n\r\n"
        + b"where is my order\x00\r\n"
        * 60_000
    )
    ticket = message.parse_message(raw)
    assert ticket.subject == "Order status 5521"
    assert len(ticket.text) == limits.MAIL_TEXT_CHARS and "\x00" not in ticket.text
    assert ticket.sender == "big@shop.example"
    assert message.sender_name(raw) == ""  # a display name with a line break greets no one


def test_po_json_refuses_control_characters_and_giant_fields_by_name() -> None:
    po_message = {"from": "a@shop.example", "subject": "PO 1\r\nBcc: x@y", "body": "Total 1.00"}
    with pytest.raises(PoInputError, match=r"subject: a control character .*U\+000D"):
        from_json(po_message)
    with pytest.raises(PoInputError, match="body: 1,000,000 characters; the limit is 200,000"):
        from_json(po_message | {"subject": "PO 1", "body": MEGABYTE_OF_TEXT})


def test_table_artifact_cells_are_made_inert() -> None:
    [row] = inert_table([{"name": "<script>alert(1)</script> [x](javascript:y)", "level": 4}])
    assert row == {"name": "\\<script\\>alert(1)\\</script\\> \\[x\\](javascript:y)", "level": 4}
