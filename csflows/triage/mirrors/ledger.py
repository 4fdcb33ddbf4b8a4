"""Which tickets another system (the mailbox, NetSuite) has not yet seen as they are now, and
what each attempt did. A ticket is mirrored again only when its type, assignee or status
changed (the `state` kept per ticket and system), so nothing is marked twice needlessly; a
failed attempt keeps the old state, so the next run tries again."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session

from csflows import store
from csflows.errors import TicketNotFound
from csflows.models import TicketStatus
from csflows.store.tables import TicketMirrorRow, TicketRow

MAILBOX = "mailbox"
NETSUITE = "netsuite"
UNTRIAGED = (TicketStatus.RECEIVED,)


@dataclass(frozen=True)
class TicketView:
    """What a mirror shows of one ticket."""

    id: int
    message_id: str
    inbox: str
    uid: int | None
    uidvalidity: int | None
    sender: str
    subject: str
    type: str | None
    assignee: str | None
    status: str

    @property
    def state(self) -> str:
        return state_of(self.type, self.assignee, self.status)

    @property
    def resolved(self) -> bool:
        return self.status == TicketStatus.RESOLVED


def state_of(type_name: str | None, assignee: str | None, status: str) -> str:
    return f"{type_name or ''}|{assignee or ''}|{status}"


def _state_column() -> ColumnElement[str]:
    return (
        func.coalesce(TicketRow.type, "")
        + "|"
        + func.coalesce(TicketRow.assignee, "")
        + "|"
        + TicketRow.status
    )


def _view(row: TicketRow) -> TicketView:
    return TicketView(
        row.id, row.message_id, row.inbox, row.uid, row.uidvalidity, row.sender, row.subject,
        row.type, row.assignee, row.status,
    )  # fmt: skip


def unmirrored(system: str, inboxes: list[str] | None = None, limit: int = 200) -> list[TicketView]:
    """Triaged tickets whose state `system` has not shown yet, oldest first."""
    query = (
        select(TicketRow)
        .outerjoin(
            TicketMirrorRow,
            and_(TicketMirrorRow.ticket_id == TicketRow.id, TicketMirrorRow.system == system),
        )
        .where(TicketRow.status.not_in(UNTRIAGED))
        .where(or_(TicketMirrorRow.state.is_(None), TicketMirrorRow.state != _state_column()))
        .order_by(TicketRow.id)
        .limit(limit)
    )
    if inboxes is not None:
        query = query.where(TicketRow.inbox.in_(inboxes))
    with store.session() as s:
        return [_view(row) for row in s.scalars(query)]


def ticket_view(ticket_id: int) -> TicketView:
    with store.session() as s:
        row = s.get(TicketRow, ticket_id)
        if row is None:
            raise TicketNotFound(f"ticket_id: no ticket {ticket_id} in the store")
        return _view(row)


def _row(s: Session, ticket_id: int, system: str) -> TicketMirrorRow:
    row = s.get(TicketMirrorRow, (ticket_id, system))
    if row is None:
        row = TicketMirrorRow(ticket_id=ticket_id, system=system, attempts=0)
        s.add(row)
    return row


def record_mirrored(
    ticket: TicketView, system: str, ref: str | None = None, note: str | None = None
) -> None:
    """`system` now shows the ticket as it is."""
    with store.session() as s:
        row = _row(s, ticket.id, system)
        row.state, row.ref, row.note, row.error = ticket.state, ref, note, None
        row.attempts = (row.attempts or 0) + 1


def record_failure(ticket: TicketView, system: str, error: str) -> None:
    """The attempt failed: the state stays, so the next run tries again."""
    with store.session() as s:
        row = _row(s, ticket.id, system)
        row.error = error[:2000]
        row.attempts = (row.attempts or 0) + 1


def mirror(ticket_id: int, system: str) -> TicketMirrorRow | None:
    with store.session() as s:
        row = s.get(TicketMirrorRow, (ticket_id, system))
        if row is not None:
            s.expunge(row)
        return row
