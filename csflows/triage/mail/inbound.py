"""A message as the triage model reads it (`InboundMail`): from a parsed ticket or from the JSON
keys of `csflows classify` and the training mail; and its direction, told by the sender's and
recipients' domains against a world's own and supplier domains (the team's for the team's mail,
the training mail's for the writers')."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from csflows.models import Ticket
from csflows.triage.policy import Direction, World


@dataclass(frozen=True)
class InboundMail:
    """What the triage model reads of a message."""

    sender: str
    to: Sequence[str] = ()
    subject: str = ""
    body: str = ""
    attachments: Sequence[str] = ()  # file names

    @classmethod
    def from_ticket(cls, ticket: Ticket) -> InboundMail:
        return cls(
            sender=ticket.sender,
            to=[*ticket.to, *ticket.cc],
            subject=ticket.subject,
            body=ticket.text,
            attachments=[a.filename for a in ticket.attachments],
        )


def domain_of(address: str) -> str:
    return address.rpartition("@")[2].strip().strip(">").lower()


def _within(domain: str, domains: Iterable[str]) -> bool:
    return any(domain == d or domain.endswith("." + d) for d in domains)


def direction_of(mail: InboundMail, world: World) -> Direction:
    """Ours to ours is internal, ours to anyone else sent by us; from outside, supplier or
    customer; "ours" and "supplier" are the `world`'s domains (a `TicketTypes` is the team's)."""
    sender = domain_of(mail.sender)
    if _within(sender, world.own_domains):
        outside = [a for a in mail.to if not _within(domain_of(a), world.own_domains)]
        return Direction.SENT_BY_US if outside else Direction.INTERNAL
    if _within(sender, world.supplier_domains):
        return Direction.SUPPLIER
    return Direction.CUSTOMER


def to_supplier(mail: InboundMail, world: World) -> bool:
    """A recipient is one of the `world`'s suppliers (our buying, or a supplier copied in)."""
    return any(_within(domain_of(a), world.supplier_domains) for a in mail.to)


def mail_from_json(row: dict[str, object]) -> InboundMail:
    """The classify interface's JSON keys: from, to and cc (lists), subject, body, attachments
    (names); also the training rows' shape."""
    if not isinstance(row.get("from"), str) or "@" not in str(row["from"]):
        raise ValueError(f"from: expected a mail address, got {row.get('from')!r}")
    to, cc = row.get("to") or [], row.get("cc") or []
    attachments = row.get("attachments") or []
    if not isinstance(to, list) or not isinstance(cc, list) or not isinstance(attachments, list):
        raise ValueError("to, cc and attachments must be lists")
    to = [*to, *cc]
    return InboundMail(
        sender=str(row["from"]),
        to=[str(a) for a in to],
        subject=str(row.get("subject") or ""),
        body=str(row.get("body") or ""),
        attachments=[str(a) for a in attachments],
    )
