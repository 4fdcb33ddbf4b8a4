"""A PO message from JSON or .eml; bad input names the field (and the CLI says so, exit 1)."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli import app
from csflows.errors import EXIT_CODES, InputError, PoInputError
from csflows.purchase_orders import inbound

GOOD = {"from": "Buyer <buyer@shop.example>", "subject": "PO 1", "body": "Total: 5.00"}


@pytest.mark.parametrize(
    ("document", "error"),
    [
        ({**GOOD, "from": ""}, "from: expected a non-empty string"),
        ({**GOOD, "from": "not an address"}, "from: not an email address"),
        ({**GOOD, "body": 12}, "body: expected a non-empty string"),
        ({**GOOD, "sender": "x"}, "unknown key(s) sender"),
        ({**GOOD, "attachments": {}}, "attachments: expected a list"),
        ({**GOOD, "attachments": [{"filename": "a.pdf"}]}, "attachments[0]: give exactly one of"),
        (
            {**GOOD, "attachments": [{"filename": "a.pdf", "content_base64": "%%%"}]},
            "attachments[0].content_base64: not valid base64",
        ),
        (
            {**GOOD, "attachments": [{"content_base64": "QQ=="}]},
            "attachments[0].filename: required",
        ),
        ({**GOOD, "attachments": [{"path": "a.pdf"}]}, "attachments[0].path: not allowed here"),
        ([], "message: expected a JSON object"),
    ],
)
def test_bad_json_names_the_field(document: object, error: str) -> None:
    with pytest.raises(PoInputError) as caught:
        inbound.from_json(document)
    assert str(caught.value).startswith(error)


def test_attachment_by_path_relative_to_the_file(tmp_path: Path) -> None:
    (tmp_path / "po.pdf").write_bytes(b"%PDF-1.4 x")
    email = inbound.from_json({**GOOD, "attachments": [{"path": "po.pdf"}]}, base=tmp_path)
    [attachment] = email.attachments
    assert (attachment.filename, attachment.content_type, attachment.content) == (
        "po.pdf",
        "application/pdf",
        b"%PDF-1.4 x",
    )
    assert inbound.from_json(inbound.to_json(email)) == email  # the flow's message round-trips


def test_eml_with_a_pdf() -> None:
    from email.message import EmailMessage

    msg = EmailMessage()
    msg["From"], msg["Subject"], msg["Message-ID"] = "Shop <a@shop.example>", "PO 9", "<m1@x>"
    msg.set_content("see attached")
    msg.add_attachment(b"%PDF-1.4 y", maintype="application", subtype="pdf", filename="po.pdf")
    email = inbound.from_raw(bytes(msg))
    assert (email.sender, email.sender_name, email.message_id) == (
        "a@shop.example",
        "Shop",
        "<m1@x>",
    )
    assert email.attachments[0].is_pdf and email.attachments[0].content == b"%PDF-1.4 y"


def test_same_message_same_id_on_every_run() -> None:
    assert inbound.message_id_for(GOOD) == inbound.message_id_for(json.loads(json.dumps(GOOD)))
    assert inbound.message_id_for({**GOOD, "message_id": "<given@x>"}) == "<given@x>"


@pytest.mark.parametrize(
    ("content", "error"),
    [
        ("{not json", "not valid JSON"),
        (
            json.dumps({**GOOD, "attachments": [{"path": "missing.pdf"}]}),
            "attachments[0].path: cannot read",
        ),
        (
            json.dumps(
                {
                    **GOOD,
                    "attachments": [
                        {
                            "filename": "x",
                            "content_base64": base64.b64encode(b"x").decode(),
                            "extra": 1,
                        }
                    ],
                }
            ),
            "attachments[0]: unknown key(s) extra",
        ),
    ],
)
def test_cli_bad_input_is_a_clear_error(tmp_path: Path, content: str, error: str) -> None:
    file = tmp_path / "po.json"
    file.write_text(content)
    result = CliRunner().invoke(app, ["po", str(file), "--json"])
    assert result.exit_code == EXIT_CODES[InputError]
    assert f"error: {file}: {error}" in result.output


def test_html_only_eml_is_read_as_text() -> None:
    from email.message import EmailMessage

    from csflows.purchase_orders.reading import read_purchase_order

    msg = EmailMessage()
    msg["From"], msg["Subject"] = "a@shop.example", "Order"
    msg.set_content(
        "<p>Purchase Order <b>#8801</b></p><table><tr><td>Order Total</td><td>$1,020.00</td></tr></table>",
        subtype="html",
    )
    reading = read_purchase_order(inbound.from_raw(bytes(msg)))
    assert (reading.po_number, str(reading.total)) == ("8801", "1020.00")
