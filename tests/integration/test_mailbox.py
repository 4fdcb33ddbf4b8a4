"""Triage shown in the mailbox, against a real IMAP server (Dovecot on 127.0.0.1): keywords on
the original message, auto-resolved mail moved to a folder it creates, nothing ever deleted, an
inbox that did not opt in untouched, and a message found by Message-ID once its uid is stale."""

from __future__ import annotations

from email.message import EmailMessage
from pathlib import Path

import pytest
from sqlalchemy import select

from blocks import ImapInbox
from csflows import store
from csflows.store.tables import TicketRow
from csflows.triage.mail import intake
from csflows.triage.mail.intake import MailboxMarking
from csflows.triage.mirrors import ledger, mailbox
from tests.support.imap import DovecotServer

pytestmark = pytest.mark.integration

MARK = MailboxMarking(mark_in_mailbox=True, resolved_folder="Resolved")
ORDER = "Sales Order - Sales Order Received!"
QUOTE_LETTER = "QUOTE - Quote Letter Document"


def _mail(n: int, subject: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = "Linda Park <linda@brightcrafts.example>"
    msg["To"] = "cs@advantus.com"
    msg["Subject"] = subject
    msg["Message-ID"] = f"<mark-{n}@brightcrafts.example>"
    msg.set_content(f"Message {n}.")
    return msg


def _triaged(inbox: str, *decisions: tuple[str, str, str]) -> list[int]:
    """Poll the inbox, then give its tickets (in order) a type, assignee and status."""
    ids = intake.poll_inbox(inbox, ImapInbox.named(inbox)).stored
    with store.session() as s:
        for ticket_id, (type_name, assignee, status) in zip(ids, decisions, strict=True):
            row = s.get(TicketRow, ticket_id)
            assert row is not None
            row.type, row.assignee, row.status = type_name, assignee, status
    return ids


def _update(ticket_id: int, **values: str) -> None:
    with store.session() as s:
        row = s.get(TicketRow, ticket_id)
        assert row is not None
        for key, value in values.items():
            setattr(row, key, value)


def _mark(inbox: str, settings: MailboxMarking = MARK) -> mailbox.MarkResult:
    tickets = ledger.unmirrored(ledger.MAILBOX, [inbox])
    return mailbox.mark_inbox(inbox, ImapInbox.named(inbox), settings, tickets)


def _folder(server: DovecotServer, user: str, folder: str = "INBOX") -> dict[str, set[str]]:
    """Message-ID: flags (without the session's \\Recent) of each message in the folder."""
    with server.client(user) as client:
        if not client.folder_exists(folder):
            return {}
        client.select_folder(folder, readonly=True)
        uids = client.search(["ALL"])
        if not uids:
            return {}
        fetched = client.fetch(uids, ["FLAGS", "BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)]"])
        return {
            data[b"BODY[HEADER.FIELDS (MESSAGE-ID)]"].decode().split(":", 1)[1].strip(): {
                f.decode() for f in data[b"FLAGS"] if f != b"\\Recent"
            }
            for data in fetched.values()
        }


def test_keywords_show_triage_and_resolved_mail_moves_without_deleting(
    store_ready: Path, imap_server: DovecotServer
) -> None:
    imap_server.append("sales", _mail(1, "PO BC-21001 attached"))
    imap_server.append("sales", _mail(2, "Your quote"))
    order, letter = _triaged(
        "sales",
        (ORDER, "Customer Service", "open"),
        (QUOTE_LETTER, "Customer Service", "resolved"),
    )
    result = _mark("sales")
    assert sorted(result.marked) == [order, letter] and result.moved == [letter]
    inbox, resolved = _folder(imap_server, "sales"), _folder(imap_server, "sales", "Resolved")
    assert inbox == {
        "<mark-1@brightcrafts.example>": {
            "csflows-type:Sales_Order-Sales_Order_Received!",
            "csflows-assignee:Customer_Service",
        }
    }
    assert resolved == {
        "<mark-2@brightcrafts.example>": {
            "csflows-type:QUOTE-Quote_Letter_Document",
            "csflows-assignee:Customer_Service",
            "csflows-resolved",
        }
    }  # two messages before, two after: moved, not copied, nothing marked \Deleted
    mirrored = ledger.mirror(letter, ledger.MAILBOX)
    assert mirrored is not None and mirrored.ref == "Resolved"
    # Marked once: a second run has nothing to do.
    assert ledger.unmirrored(ledger.MAILBOX, ["sales"]) == []
    assert _mark("sales").marked == []


def test_a_status_change_is_shown_and_a_persons_own_keywords_stay(
    store_ready: Path, imap_server: DovecotServer
) -> None:
    imap_server.append("sales", _mail(3, "Where is my order?"))
    (ticket,) = _triaged("sales", ("Sales Order - Customer Request", "Customer Service", "open"))
    _mark("sales")
    with imap_server.client("sales") as client:
        client.select_folder("INBOX")
        client.add_flags(client.search(["ALL"]), ["$label1", "\\Flagged"])
    _update(ticket, assignee="Mary Callie", status="resolved")
    assert _mark("sales").moved == [ticket]
    assert _folder(imap_server, "sales") == {}
    assert _folder(imap_server, "sales", "Resolved") == {
        "<mark-3@brightcrafts.example>": {
            "csflows-type:Sales_Order-Customer_Request",
            "csflows-assignee:Mary_Callie",
            "csflows-resolved",
            "$label1",
            "\\Flagged",
        }
    }
    # Changed again after the move: found in the resolved folder by Message-ID.
    _update(ticket, assignee="Customer Service")
    assert _mark("sales").marked == [ticket]
    flags = _folder(imap_server, "sales", "Resolved")["<mark-3@brightcrafts.example>"]
    assert "csflows-assignee:Customer_Service" in flags
    assert "csflows-assignee:Mary_Callie" not in flags


def test_an_inbox_that_did_not_opt_in_is_untouched(
    store_ready: Path, imap_server: DovecotServer
) -> None:
    imap_server.append("support", _mail(4, "Thanks"))
    _triaged("support", (QUOTE_LETTER, "Customer Service", "resolved"))
    before = _folder(imap_server, "support")
    settings = intake.inbox_list().marking("support")
    assert settings.mark_in_mailbox is False
    result = _mark("support", settings)
    assert result.marked == [] and result.moved == []
    assert _folder(imap_server, "support") == before == {"<mark-4@brightcrafts.example>": set()}
    with imap_server.client("support") as client:
        assert [name for _, _, name in client.list_folders()] == ["INBOX"]


def test_a_stale_uidvalidity_finds_the_message_by_message_id(
    store_ready: Path, imap_server: DovecotServer
) -> None:
    imap_server.append("sales", _mail(5, "First"))
    imap_server.append("sales", _mail(6, "Second"))
    first, second = _triaged(
        "sales", (ORDER, "Customer Service", "open"), (ORDER, "Mary Callie", "open")
    )
    # The folder was rebuilt (another UIDVALIDITY): the first ticket's uid names another message.
    with store.session() as s:
        rows = {r.id: r for r in s.scalars(select(TicketRow))}
        rows[first].uid, rows[first].uidvalidity = rows[second].uid, 1
    result = _mark("sales", MARK.model_copy(update={"resolved_folder": None}))
    assert sorted(result.marked) == [first, second]
    flags = _folder(imap_server, "sales")
    assert "csflows-assignee:Customer_Service" in flags["<mark-5@brightcrafts.example>"]
    assert "csflows-assignee:Customer_Service" not in flags["<mark-6@brightcrafts.example>"]
    assert "csflows-assignee:Mary_Callie" in flags["<mark-6@brightcrafts.example>"]


def test_a_message_no_longer_in_the_mailbox_is_noted_not_retried(
    store_ready: Path, imap_server: DovecotServer
) -> None:
    imap_server.append("sales", _mail(7, "Gone soon"))
    (ticket,) = _triaged("sales", (ORDER, "Customer Service", "open"))
    with imap_server.client("sales") as client:  # a person deletes it
        client.select_folder("INBOX")
        client.delete_messages(client.search(["ALL"]))
        client.expunge()
    result = _mark("sales")
    assert result.notes == {ticket: mailbox.NOT_FOUND}
    assert ledger.unmirrored(ledger.MAILBOX, ["sales"]) == []
