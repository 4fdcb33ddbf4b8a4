"""The IMAP keyword spelling of triage (csflows.triage.mirrors.keywords): every ticket type, every person
and the CS queue read back to the same name, fit Dovecot's 50 characters, are IMAP atoms, and
never collide; a server without MOVE gets keywords only, and nothing is deleted."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from csflows.people import people
from csflows.triage.mail.intake import MailboxMarking, inbox_list
from csflows.triage.mirrors import keywords, ledger, mailbox
from csflows.triage.mirrors.ledger import TicketView
from csflows.triage.policy import ticket_types

ATOM = re.compile(r"^[\x21-\x7e]+$")
ATOM_SPECIALS = set('(){%*"\\]')


def _names() -> dict[str, list[str]]:
    policy = ticket_types()
    assignees = {p.name for p in people().people} | {policy.default_assignee}
    assignees |= {policy.assignee(name) for name in policy.names()}
    return {keywords.TYPE: policy.names(), keywords.ASSIGNEE: sorted(assignees)}


@pytest.mark.parametrize("kind", [keywords.TYPE, keywords.ASSIGNEE])
def test_every_name_round_trips_as_a_valid_short_distinct_keyword(kind: str) -> None:
    names = _names()[kind]
    words = [keywords.keyword(kind, name) for name in names]
    for name, word in zip(names, words, strict=True):
        assert ATOM.match(word) and not ATOM_SPECIALS & set(word), word
        assert len(word) <= keywords.MAX_LENGTH
        assert keywords.is_ours(word)
        assert keywords.name_of(word, kind, names) == name
        assert keywords.name_of(word.lower(), kind, names) == name  # clients may fold case
    assert len({w.casefold() for w in words}) == len(words)


def test_the_spelling_is_readable() -> None:
    assert keywords.keyword("type", "Sales Order - Sales Order Received!") == (
        "csflows-type:Sales_Order-Sales_Order_Received!"
    )
    assert keywords.keyword("assignee", "Mary Callie") == "csflows-assignee:Mary_Callie"
    assert keywords.keyword("type", 'Odd (name) with "quotes" * and %') == (
        "csflows-type:Odd__name__with__quotes____and__"
    )
    long = keywords.keyword("type", "Product Sample - Sales Order Confirmation Document")
    assert len(long) == 50 and re.search(r"~[0-9a-f]{4}$", long)
    assert keywords.keywords_for("Question", "Mary Callie", resolved=True) == {
        "csflows-type:Question",
        "csflows-assignee:Mary_Callie",
        "csflows-resolved",
    }
    assert keywords.name_of("csflows-type:Unknown", "type", ["Question"]) is None
    assert not keywords.is_ours("$label1")


def test_inboxes_opt_in_and_an_unlisted_inbox_is_left_alone() -> None:
    config = inbox_list()
    assert config.marking("default").mark_in_mailbox is True
    assert config.marking("not-listed") == MailboxMarking()
    assert MailboxMarking().mark_in_mailbox is False


class NoMoveServer:
    """An IMAP session without MOVE that records every call."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, Any]] = []
        self.flags: dict[int, set[bytes]] = {7: {b"\\Seen"}}

    def select_folder(self, folder: str, readonly: bool = False) -> dict[bytes, Any]:
        self.calls.append(("select", folder))
        return {b"UIDVALIDITY": 11, b"PERMANENTFLAGS": (b"\\Seen", b"\\*")}

    def fetch(self, uids: list[int], _items: list[str]) -> dict[int, dict[bytes, Any]]:
        return {u: {b"FLAGS": tuple(self.flags[u])} for u in uids if u in self.flags}

    def search(self, criteria: list[str]) -> list[int]:
        self.calls.append(("search", criteria))
        return [7]

    def add_flags(self, uids: list[int], flags: list[str]) -> None:
        self.calls.append(("add_flags", flags))
        for u in uids:
            self.flags[u] |= {f.encode() for f in flags}

    def remove_flags(self, uids: list[int], flags: list[str]) -> None:
        self.calls.append(("remove_flags", flags))

    def has_capability(self, name: str) -> bool:
        return name != "MOVE"

    def folder_exists(self, folder: str) -> bool:
        return folder == "INBOX"

    def logout(self) -> None:
        self.calls.append(("logout", None))

    def __getattr__(self, name: str) -> Any:  # copy, move, delete, expunge, create_folder...
        raise AssertionError(f"{name} must not be called")


class FakeInbox:
    folder = "INBOX"

    def __init__(self, server: NoMoveServer) -> None:
        self.server = server

    def connect(self) -> Any:
        return self.server


def test_without_move_the_message_keeps_its_place_with_keywords(store_ready: Path) -> None:
    from csflows import store
    from csflows.store.tables import TicketRow

    with store.session() as s:
        row = TicketRow(
            message_id="<q@x>", inbox="sales", uid=7, uidvalidity=11, raw=b"", sender="a@x",
            subject="Quote", type="QUOTE - Quote Letter Document", assignee="Customer Service",
            status="resolved",
        )  # fmt: skip
        s.add(row)
        s.flush()
        ticket_id = row.id
    server = NoMoveServer()
    settings = MailboxMarking(mark_in_mailbox=True, resolved_folder="Resolved")
    tickets: list[TicketView] = ledger.unmirrored(ledger.MAILBOX, ["sales"])
    result = mailbox.mark_inbox("sales", FakeInbox(server), settings, tickets)  # type: ignore[arg-type]
    assert result.marked == [ticket_id] and result.moved == []
    assert result.notes == {ticket_id: mailbox.NO_MOVE}
    assert server.flags[7] == {
        b"\\Seen",
        b"csflows-type:QUOTE-Quote_Letter_Document",
        b"csflows-assignee:Customer_Service",
        b"csflows-resolved",
    }
    assert not any(call[0] == "search" for call in server.calls)  # the uid was still good
    mirror = ledger.mirror(ticket_id, ledger.MAILBOX)
    assert mirror is not None and mirror.note == mailbox.NO_MOVE and mirror.ref == "INBOX"
