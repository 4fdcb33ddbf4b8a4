"""Triage shown in the inbox itself (opt-in per inbox, config/inboxes.yaml `mailbox:`): IMAP
keywords on the original message for its type, assignee and resolved (csflows.triage.mirrors.keywords),
and auto-resolved mail moved to a folder when one is configured (created when missing).

Nothing is ever deleted or expunged: a move is IMAP MOVE (RFC 6851) only; a server without MOVE
keeps the message where it is, with its keywords, and the ticket's mirror says so. The message
is found by its uid while the folder's UIDVALIDITY is the one the uid was read under, else (or
when a person moved it) by IMAP SEARCH HEADER Message-ID, in the inbox folder and then in the
resolved folder.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError

from csflows.errors import InboxUnavailable
from csflows.models import TicketStatus
from csflows.triage.mail.intake import Inbox, MailboxMarking
from csflows.triage.mirrors import keywords, ledger
from csflows.triage.mirrors.ledger import MAILBOX, TicketView

NO_MOVE = "the server has no MOVE: keywords only, the message stays in the inbox"
NOT_FOUND = "the message is not in the mailbox (a person may have moved or deleted it)"
NO_KEYWORDS = "the folder does not take new keywords (PERMANENTFLAGS has no \\*)"


@dataclass
class MarkResult:
    inbox: str
    marked: list[int] = field(default_factory=list)  # ticket ids
    moved: list[int] = field(default_factory=list)
    notes: dict[int, str] = field(default_factory=dict)
    failed: dict[int, str] = field(default_factory=dict)


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def _uids_by_message_id(client: IMAPClient, message_id: str) -> list[int]:
    found = client.search(["HEADER", "Message-ID", message_id])
    return sorted(int(u) for u in found)


def _present(client: IMAPClient, uid: int) -> bool:
    return uid in client.fetch([uid], ["FLAGS"])


def _set_keywords(client: IMAPClient, uid: int, wanted: set[str]) -> None:
    """Add `wanted`, remove csflows' other keywords; the team's own flags are left alone."""
    flags = {_text(f) for f in client.fetch([uid], ["FLAGS"]).get(uid, {}).get(b"FLAGS", ())}
    stale = {f for f in flags if keywords.is_ours(f)} - wanted
    if stale:
        client.remove_flags([uid], sorted(stale))
    missing = wanted - flags
    if missing:
        client.add_flags([uid], sorted(missing))


def _ensure_folder(client: IMAPClient, folder: str) -> None:
    if not client.folder_exists(folder):
        client.create_folder(folder)
        with contextlib.suppress(IMAPClientError):
            client.subscribe_folder(folder)  # so mail clients list it


def _takes_keywords(selected: dict[bytes, object]) -> bool:
    permanent = selected.get(b"PERMANENTFLAGS", ())
    return any(_text(f) == "\\*" for f in permanent)  # type: ignore[attr-defined]


def _mark_one(
    client: IMAPClient,
    ticket: TicketView,
    uidvalidity: int,
    settings: MailboxMarking,
    folder: str,
    result: MarkResult,
    takes_keywords: bool,
) -> bool:
    """Mark the ticket's message in the selected folder; False when it is not there."""
    if (
        ticket.uid is not None
        and ticket.uidvalidity == uidvalidity
        and _present(client, ticket.uid)
    ):
        uids = [ticket.uid]
    else:
        uids = _uids_by_message_id(client, ticket.message_id)
    if not uids:
        return False
    notes: list[str] = []
    if takes_keywords:
        wanted = keywords.keywords_for(
            None if ticket.status == TicketStatus.NEEDS_TRIAGE else ticket.type,
            ticket.assignee,
            ticket.resolved,
            settings.keyword_max_length,
        )
        for uid in uids:
            _set_keywords(client, uid, wanted)
    else:
        notes.append(NO_KEYWORDS)
    ref = folder
    target = settings.resolved_folder
    if ticket.resolved and target and folder != target:
        if client.has_capability("MOVE"):
            _ensure_folder(client, target)
            client.move(uids, target)
            ref = target
            result.moved.append(ticket.id)
        else:
            notes.append(NO_MOVE)
    note = "; ".join(notes) or None
    if note:
        result.notes[ticket.id] = note
    ledger.record_mirrored(ticket, MAILBOX, ref=ref, note=note)
    result.marked.append(ticket.id)
    return True


def _mark_in_folder(
    client: IMAPClient,
    folder: str,
    tickets: list[TicketView],
    settings: MailboxMarking,
    result: MarkResult,
) -> list[TicketView]:
    """Mark what is in `folder`; returns the tickets whose message is not there."""
    selected = client.select_folder(folder)
    uidvalidity = int(selected[b"UIDVALIDITY"])  # type: ignore[call-overload]
    takes = _takes_keywords(selected)
    absent = []
    for ticket in tickets:
        try:
            if not _mark_one(client, ticket, uidvalidity, settings, folder, result, takes):
                absent.append(ticket)
        except IMAPClientError as exc:
            error = f"{exc.__class__.__name__}: {exc}"
            result.failed[ticket.id] = error
            ledger.record_failure(ticket, MAILBOX, error)
    return absent


def mark_inbox(
    name: str, inbox: Inbox, settings: MailboxMarking, tickets: list[TicketView]
) -> MarkResult:
    """Show each ticket's triage on its message in the inbox `name` (when the inbox opted in)."""
    result = MarkResult(name)
    if not settings.mark_in_mailbox or not tickets:
        return result
    client = inbox.connect()
    try:
        absent = _mark_in_folder(client, inbox.folder, tickets, settings, result)
        target = settings.resolved_folder
        if absent and target and target != inbox.folder and client.folder_exists(target):
            absent = _mark_in_folder(client, target, absent, settings, result)
        for ticket in absent:
            result.notes[ticket.id] = NOT_FOUND
            ledger.record_mirrored(ticket, MAILBOX, ref=None, note=NOT_FOUND)
    except (TimeoutError, OSError, IMAPClientError) as exc:
        raise InboxUnavailable(f"inbox {name}: {exc.__class__.__name__}: {exc}") from exc
    finally:
        with contextlib.suppress(OSError, IMAPClientError):
            client.logout()
    return result
