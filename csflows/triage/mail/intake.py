"""Inbox intake: new messages from each IMAP inbox by UID, stored raw before anything parses them.

Each message is stored with the inbox cursor (last UID per inbox and UIDVALIDITY) in one
transaction, so a poll stopped at any point resumes where it stopped: nothing lost, nothing
stored twice. Message-IDs are unique across inboxes: a copy in a second inbox is skipped.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError
from pydantic import Field
from sqlalchemy import select

from csflows import config, store
from csflows.errors import InboxUnavailable
from csflows.models import TicketStatus
from csflows.models.common import Model
from csflows.store.tables import InboxCursorRow, TicketRow
from csflows.triage.mail.message import message_id_of

FETCH_BATCH = 25  # messages per FETCH
FETCH_BYTES = 32 * 1024 * 1024  # and at most this many bytes per FETCH


class MailboxMarking(Model):
    """Whether triage shows in an inbox's mailbox (csflows.triage.mirrors.mailbox): opt-in."""

    mark_in_mailbox: bool = False
    resolved_folder: str | None = None  # auto-resolved mail is moved here when set
    keyword_max_length: int = Field(50, ge=20)


class InboxList(Model):
    inboxes: list[str] = Field(min_length=1)
    max_messages_per_run: int = Field(500, ge=1)
    mailbox: dict[str, MailboxMarking] = {}

    def marking(self, inbox: str) -> MailboxMarking:
        """The inbox's marking settings; an inbox not listed is left untouched."""
        return self.mailbox.get(inbox, MailboxMarking())


class Inbox(Protocol):
    """One monitored mailbox: the ImapInbox block (blocks/) opens its own IMAP session."""

    @property
    def folder(self) -> str: ...

    def connect(self) -> IMAPClient:
        """A logged-in session; InboxUnavailable when the server cannot be had."""
        ...


@dataclass
class PollResult:
    inbox: str
    stored: list[int] = field(default_factory=list)  # ticket ids
    duplicates: int = 0
    uidvalidity: int = 0
    last_uid: int = 0
    remaining: int = 0  # left for the next run (max_messages_per_run)


def inbox_list(path: Path | None = None) -> InboxList:
    """`config/inboxes.yaml`, with CSFLOWS_INBOXES (comma-separated block names) over its list."""
    inboxes = config.load("inboxes", InboxList, path)
    names = [n.strip() for n in os.environ.get("CSFLOWS_INBOXES", "").split(",") if n.strip()]
    return inboxes.model_copy(update={"inboxes": names}) if names else inboxes


def cursor(inbox: str, uidvalidity: int) -> int:
    with store.session() as s:
        row = s.get(InboxCursorRow, (inbox, uidvalidity))
        return row.last_uid if row else 0


def store_raw(inbox: str, uidvalidity: int, uid: int, raw: bytes) -> int | None:
    """Store one raw message and move the cursor past it; None when its Message-ID is known."""
    message_id = message_id_of(raw)
    with store.session() as s:
        row = s.get(InboxCursorRow, (inbox, uidvalidity))
        if row is None:
            row = InboxCursorRow(inbox=inbox, uidvalidity=uidvalidity, last_uid=0)
            s.add(row)
        row.last_uid = max(row.last_uid, uid)
        known = s.scalar(select(TicketRow.id).where(TicketRow.message_id == message_id))
        if known is not None:
            return None
        ticket = TicketRow(
            message_id=message_id,
            inbox=inbox,
            uid=uid,
            uidvalidity=uidvalidity,
            raw=raw,
            status=TicketStatus.RECEIVED,
        )
        s.add(ticket)
        s.flush()
        return ticket.id


def _batches(sizes: dict[int, int]) -> Iterator[list[int]]:
    batch: list[int] = []
    total = 0
    for uid in sorted(sizes):
        if batch and (len(batch) >= FETCH_BATCH or total + sizes[uid] > FETCH_BYTES):
            yield batch
            batch, total = [], 0
        batch.append(uid)
        total += sizes[uid]
    if batch:
        yield batch


def poll_inbox(name: str, inbox: Inbox, max_messages: int = 500) -> PollResult:
    """Store the inbox folder's messages newer than its cursor, oldest first."""
    client = inbox.connect()
    try:
        folder = client.select_folder(inbox.folder, readonly=True)
        uidvalidity = int(folder[b"UIDVALIDITY"])
        result = PollResult(name, uidvalidity=uidvalidity, last_uid=cursor(name, uidvalidity))
        uids = sorted(
            u for u in client.search(["UID", f"{result.last_uid + 1}:*"]) if u > result.last_uid
        )
        result.remaining = max(len(uids) - max_messages, 0)
        uids = uids[:max_messages]
        sizes = (
            {uid: int(d[b"RFC822.SIZE"]) for uid, d in client.fetch(uids, ["RFC822.SIZE"]).items()}
            if uids
            else {}
        )
        for batch in _batches(sizes):
            fetched = client.fetch(batch, ["BODY.PEEK[]"])
            for uid in batch:
                raw = fetched.get(uid, {}).get(b"BODY[]")
                if raw is None:
                    continue  # expunged meanwhile
                ticket_id = store_raw(name, uidvalidity, uid, bytes(raw))
                if ticket_id is None:
                    result.duplicates += 1
                else:
                    result.stored.append(ticket_id)
                result.last_uid = uid
    except (TimeoutError, OSError, IMAPClientError) as exc:
        raise InboxUnavailable(f"inbox {name}: {exc.__class__.__name__}: {exc}") from exc
    finally:
        with contextlib.suppress(OSError, IMAPClientError):
            client.logout()
    return result


def store_message(inbox: str, raw: bytes) -> int:
    """Store one message given by hand (not polled): its ticket, new or the one its Message-ID
    already has."""
    message_id = message_id_of(raw)
    with store.session() as s:
        known = s.scalar(select(TicketRow.id).where(TicketRow.message_id == message_id))
        if known is not None:
            return int(known)
        ticket = TicketRow(
            message_id=message_id, inbox=inbox, uid=None, raw=raw, status=TicketStatus.RECEIVED
        )
        s.add(ticket)
        s.flush()
        return ticket.id
