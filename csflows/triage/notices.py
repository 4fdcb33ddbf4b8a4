"""Assignees told (seed 004: "who and when to assign"): a ticket assigned to a person is mailed
to them once, with the original attached; each person with open tickets gets one digest a
working day. Auto-resolved tickets, and tickets of the shared Customer Service queue (the team
reads that inbox itself), mail nobody. Both show the sender's service tier when the sender is a
known customer (seed 003), and the digest lists first the tickets of a tier that stands first."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import select

from csflows import store, templates
from csflows.calendar import business_calendar
from csflows.links import ui_base
from csflows.models import TicketStatus
from csflows.outbox import Attachment, OutgoingEmail
from csflows.people import Person, people
from csflows.store.tables import TicketRow
from csflows.tiers.policy import Tier
from csflows.tiers.service import address_of, first_in_queue, sender_tiers, tier_label

OPEN_TICKETS_ARTIFACT = "open-tickets"
FIRST_LINES = 8


def open_tickets_link() -> str:
    """The Artifacts page's table of open tickets by assignee."""
    return f"{ui_base()}/artifacts/key/{OPEN_TICKETS_ARTIFACT}"


def first_lines(row: TicketRow, count: int = FIRST_LINES) -> list[str]:
    """The ticket's first `count` non-blank lines of text, as it was parsed."""
    text = str((row.parsed or {}).get("text") or "")
    return [line for line in text.splitlines() if line.strip()][:count]


def _person(assignee: str | None) -> Person | None:
    return people().find(assignee or "")


def assignment_mails(ticket_ids: Sequence[int]) -> list[OutgoingEmail]:
    """The mails telling each open ticket's person about it (once each, by key)."""
    out = []
    with store.session() as s:
        rows = list(s.scalars(select(TicketRow).where(TicketRow.id.in_(ticket_ids))))
        tiers = sender_tiers(r.sender for r in rows)
        for row in rows:
            person = _person(row.assignee)
            if person is None or row.status != TicketStatus.OPEN:
                continue
            message = templates.render(
                "ticket_assigned",
                person_name=person.name,
                ticket_id=row.id,
                ticket_type=row.type or "",
                sender=row.sender,
                service_tier=tier_label(tiers.get(address_of(row.sender))),
                subject=row.subject,
                first_lines="\n".join(first_lines(row)),
                link=open_tickets_link(),
            )
            out.append(
                OutgoingEmail(
                    key=f"ticket:{row.id}:assigned:{person.key}",
                    to=str(person.email),
                    subject=message.subject,
                    body=message.body,
                    template="ticket_assigned",
                    ticket_id=row.id,
                    attachments=[
                        # octet-stream: RFC 2046 forbids base64 for message/rfc822 parts
                        Attachment(
                            f"ticket-{row.id}.eml", bytes(row.raw), "application/octet-stream"
                        )
                    ],
                )
            )
    return out


def _ahead(row: TicketRow, tiers: dict[str, Tier]) -> tuple[bool, int]:
    """A queue's order: tickets of a tier that stands first, then the others; oldest first."""
    return (not first_in_queue(tiers.get(address_of(row.sender))), row.id)


def digests(day: date) -> list[OutgoingEmail]:
    """On a working day, one mail per person listing their open tickets: those of customers
    whose tier stands first (seed 003), then the others, oldest first."""
    if not business_calendar().is_business_day(day):
        return []
    by_person: dict[str, list[TicketRow]] = {}
    team = people()
    with store.session() as s:
        query = (
            select(TicketRow).where(TicketRow.status == TicketStatus.OPEN).order_by(TicketRow.id)
        )
        for row in s.scalars(query):
            person = team.find(row.assignee or "")
            if person is not None:
                by_person.setdefault(person.key, []).append(row)
        tiers = sender_tiers(r.sender for rows in by_person.values() for r in rows)
        out = []
        for key, rows in by_person.items():
            rows.sort(key=lambda r: _ahead(r, tiers))
            person = team.get(key)
            message = templates.render(
                "ticket_digest",
                person_name=person.name,
                day=day.isoformat(),
                tickets=[
                    {
                        "id": r.id,
                        "type": r.type or "(not typed)",
                        "sender": r.sender,
                        "tier": _tier_name(tiers.get(address_of(r.sender))),
                        "subject": r.subject,
                        "since": f"{r.received_at:%Y-%m-%d}",
                    }
                    for r in rows
                ],
                link=open_tickets_link(),
            )
            out.append(
                OutgoingEmail(
                    key=f"ticket-digest:{person.key}:{day.isoformat()}",
                    to=str(person.email),
                    subject=message.subject,
                    body=message.body,
                    template="ticket_digest",
                )
            )
    return out


def _tier_name(tier: Tier | None) -> str:
    return tier.name if tier else ""


def open_tickets_table() -> list[dict[str, object]]:
    """The open tickets by assignee, for the keyed table artifact operators look at: tickets of
    customers whose tier stands first (seed 003) first, with every known customer's tier."""
    with store.session() as s:
        query = (
            select(TicketRow)
            .where(TicketRow.status.in_((TicketStatus.OPEN, TicketStatus.NEEDS_TRIAGE)))
            .order_by(TicketRow.assignee, TicketRow.id)
            .limit(1000)
        )
        rows = list(s.scalars(query))
        tiers = sender_tiers(r.sender for r in rows)
        rows.sort(key=lambda r: _ahead(r, tiers)[0])  # stable: by assignee and id within
        return [
            {
                "assignee": r.assignee or "",
                "ticket": r.id,
                "type": r.type or "(not typed)",
                "status": r.status,
                "from": r.sender,
                "tier": _tier_name(tiers.get(address_of(r.sender))),
                "subject": (r.subject or "")[:120],
            }
            for r in rows
        ]
