"""Triage stored tickets (seed 004): parse, classify, assign, auto-resolve, and the facts routing
needs (a customer in the retention cadence, an applicant awaiting a first PO, the account-request
reply with the inquiry form). A ticket that cannot be parsed goes to people, never away."""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass, replace
from html import escape
from pathlib import Path

from sqlalchemy import func, select

from csflows import store
from csflows.divisions import divisions
from csflows.errors import MailParseError, TicketNotFound
from csflows.models import (
    CustomerStatus,
    Division,
    InquiryStatus,
    NewCustomerInquiry,
    Ticket,
    TicketStatus,
)
from csflows.outbox import Attachment, OutgoingEmail
from csflows.paths import config_dir
from csflows.store.tables import (
    CustomerRow,
    FeedbackRow,
    InquiryRow,
    TicketRow,
    TouchpointRow,
)
from csflows.templates import render
from csflows.tiers.service import address_of, sender_tiers
from csflows.triage.assignment import tier_assignee
from csflows.triage.classifier.current import classify_and_decide
from csflows.triage.mail.inbound import InboundMail
from csflows.triage.mail.message import form_attachments, header_summary, parse_message, sender_name
from csflows.triage.policy import Route, TicketTypes, ticket_types
from csflows.triage.route import ERROR_PREFIX, TicketRoute
from csflows.vetting.forms.pdf import FORM_FILE, build_pdf
from csflows.vetting.forms.reading import inquiry_from_data
from csflows.vetting.forms.returned import FormReading, read_returned
from csflows.vetting.letters import signed_by
from csflows.vetting.owner import REQUEST_REPLY, rep_for_request

RETENTION_STATUSES = {CustomerStatus.READY_FOR_RETENTION, CustomerStatus.IN_RETENTION}


@dataclass(frozen=True)
class TriagedTicket:
    id: int
    inbox: str
    sender: str
    subject: str
    type: str | None
    confidence: float | None
    assignee: str
    status: TicketStatus
    route: Route
    parse_error: str | None = None


def pending_ticket_ids(limit: int | None = None) -> list[int]:
    """Tickets stored but not triaged yet, oldest first (including those of interrupted runs)."""
    query = (
        select(TicketRow.id).where(TicketRow.status == TicketStatus.RECEIVED).order_by(TicketRow.id)
    )
    with store.session() as s:
        return list(s.scalars(query.limit(limit) if limit else query))


def triage_tickets(ids: list[int]) -> list[TriagedTicket]:
    """Parse, classify and assign each ticket; one transaction per ticket."""
    policy = ticket_types()
    out = []
    for ticket_id in ids:
        with store.session() as s:
            row = s.get(TicketRow, ticket_id)
            if row is None or row.status != TicketStatus.RECEIVED:
                continue
            out.append(_triage_row(row, policy))
    return _for_their_tier(out, policy)


def _for_their_tier(triaged: list[TriagedTicket], policy: TicketTypes) -> list[TriagedTicket]:
    """Open tickets of customers whose tier names a person go to that person (seed 003); the
    others, and tickets people must still type, are left as triage assigned them."""
    tiers = sender_tiers(t.sender for t in triaged if t.status == TicketStatus.OPEN)
    out = []
    for ticket in triaged:
        tier = tiers.get(address_of(ticket.sender))
        assignee = tier_assignee(ticket.assignee, tier, policy)
        if ticket.status == TicketStatus.OPEN and assignee != ticket.assignee:
            _assign(ticket.id, assignee)
            ticket = replace(ticket, assignee=assignee)
        out.append(ticket)
    return out


def _triage_row(row: TicketRow, policy: TicketTypes) -> TriagedTicket:
    try:
        ticket = parse_message(row.raw, inbox=row.inbox)
        decision = classify_and_decide(InboundMail.from_ticket(ticket), policy)
    except Exception as exc:  # noqa: BLE001 - one unreadable message must not block the inbox
        problem = str(exc) if isinstance(exc, MailParseError) else f"{type(exc).__name__}: {exc}"
        row.parse_error = problem[:2000]
        row.sender, row.subject = header_summary(row.raw)
        row.status, row.assignee = TicketStatus.NEEDS_TRIAGE, policy.default_assignee
        return TriagedTicket(
            row.id, row.inbox, row.sender, row.subject, None, None, row.assignee,
            TicketStatus.NEEDS_TRIAGE,
            Route.NONE, row.parse_error,
        )  # fmt: skip
    row.parsed = ticket.model_dump(mode="json")
    row.sender, row.subject = ticket.sender[:320], ticket.subject
    if ticket.received_at is not None:
        row.received_at = ticket.received_at
    row.type, row.confidence, row.signals = decision.type, decision.confidence, decision.signals
    row.guesses = [[decision.type, decision.confidence], *map(list, decision.alternatives)]
    row.assignee, row.status = decision.assignee, decision.status
    return TriagedTicket(
        row.id, row.inbox, row.sender, row.subject, decision.type, decision.confidence,
        decision.assignee, decision.status, decision.route,
    )  # fmt: skip


def ticket_summary(ticket_id: int) -> dict[str, object]:
    """What `csflows triage` prints of a ticket."""
    with store.session() as s:
        row = s.get(TicketRow, ticket_id)
        if row is None:
            raise TicketNotFound(f"ticket_id: no ticket {ticket_id} in the store")
        return {
            "ticket_id": row.id,
            "type": row.type,
            "confidence": row.confidence,
            "assignee": row.assignee,
            "status": row.status,
        }


def route_of(ticket_id: int) -> Route:
    """The route a typed, open ticket's type calls for (none for people's tickets)."""
    with store.session() as s:
        row = s.get(TicketRow, ticket_id)
        if row is None or row.type is None or row.status == TicketStatus.NEEDS_TRIAGE:
            return Route.NONE
        return ticket_types().get(row.type).route


def load_ticket(ticket_id: int) -> tuple[Ticket, bytes]:
    """The parsed ticket and its raw bytes."""
    with store.session() as s:
        row = s.get(TicketRow, ticket_id)
        if row is None or row.parsed is None:
            raise TicketNotFound(
                f"ticket_id: no ticket {ticket_id} in the store, or it could not be parsed"
            )
        return Ticket.model_validate(row.parsed), row.raw


def tickets_to_route(limit: int = 500) -> list[tuple[int, Route]]:
    """Open tickets whose type routes somewhere and that are not routed yet (or failed to be)."""
    policy = ticket_types()
    routes = {t.name: t.route for t in policy.types if t.route is not Route.NONE}
    query = (
        select(TicketRow.id, TicketRow.type)
        .where(TicketRow.status == TicketStatus.OPEN)
        .where(TicketRow.type.in_(list(routes)))
        .where((TicketRow.routed_to.is_(None)) | (TicketRow.routed_to.like(f"{ERROR_PREFIX}%")))
        .order_by(TicketRow.id)
        .limit(limit)
    )
    with store.session() as s:
        return [(ticket_id, routes[str(kind)]) for ticket_id, kind in s.execute(query)]


def ticket_table(ids: list[int]) -> list[dict[str, object]]:
    """Rows for the run's table artifact; message text is escaped for the UI."""
    with store.session() as s:
        rows = s.scalars(select(TicketRow).where(TicketRow.id.in_(ids)).order_by(TicketRow.id))
        return [
            {
                "ticket": row.id,
                "inbox": row.inbox,
                "from": escape(row.sender),
                "subject": escape(row.subject[:120]),
                "type": row.type or "(unreadable)",
                "confidence": row.confidence,
                "assignee": row.assignee,
                "status": row.status,
                "routed_to": escape(row.routed_to or ""),
            }
            for row in rows
        ]


def record_route(routed: TicketRoute) -> None:
    """Keep where the ticket went (its `routed_to` text); an error is routed again next run."""
    with store.session() as s:
        row = s.get(TicketRow, routed.ticket_id)
        if row is not None:
            row.routed_to = routed.stored()


# --- facts routing needs ----------------------------------------------------------------------


def customer_in_cadence(email: str) -> str | None:
    """The id of the customer with this address who is in the retention cadence (seed 002)."""
    with store.session() as s:
        customers = s.scalars(
            select(CustomerRow).where(func.lower(CustomerRow.email) == email.lower())
        ).all()
        for customer in customers:
            touchpoints = s.scalar(
                select(func.count()).where(TouchpointRow.customer_id == customer.id)
            )
            if customer.status in RETENTION_STATUSES or touchpoints:
                return customer.id
    return None


def record_complaint(ticket_id: int, customer_id: str, subject: str) -> int:
    """A negative feedback row for the retention issue to act on; once per ticket."""
    source = f"ticket:{ticket_id}"
    with store.session() as s:
        known = s.scalar(select(FeedbackRow.id).where(FeedbackRow.source == source))
        if known is not None:
            return known
        row = FeedbackRow(
            customer_id=customer_id,
            outcome="negative",
            source=source,
            notes=f"Customer complaint by email: {subject}"[:2000],
            recorded_by="triage-inbox",
        )
        s.add(row)
        s.flush()
        return row.id


def applicant_awaiting_first_po(email: str) -> int | None:
    """The approved applicant's inquiry waiting for its first PO (seed 001), if any."""
    with store.session() as s:
        return s.scalar(
            select(InquiryRow.id)
            .where(func.lower(InquiryRow.email) == email.lower())
            .where(InquiryRow.status == InquiryStatus.AWAITING_FIRST_PO)
            .order_by(InquiryRow.id.desc())
        )


def division_named_in(text: str) -> Division | None:
    """The division a message names (by name or alias), when exactly one is named."""
    normal = f" {_words(text)} "
    found = [
        d
        for d in divisions().divisions
        if any(f" {_words(label)} " in normal for label in (d.name, *d.aliases))
    ]
    return found[0] if len(found) == 1 else None


def _words(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", text.lower().replace("&", " and ")))


def inquiry_form(division: Division | None) -> Attachment:
    """The division's own form (seed 001) if it has one, else the standard fillable form."""
    forms = config_dir() / "forms"
    for name in (division.new_customer_form if division else None, FORM_FILE):
        if name and (path := forms / name).is_file():
            return Attachment(Path(name).name, path.read_bytes(), "application/pdf")
    with tempfile.TemporaryDirectory() as folder:  # not shipped here: build the same form
        content = build_pdf(Path(folder) / FORM_FILE).read_bytes()
    return Attachment(FORM_FILE, content, "application/pdf")


def account_request_reply(ticket_id: int) -> OutgoingEmail:
    """Seed 001's first step: the rep assigned the account request replies with the standard
    wording and the inquiry form, once per ticket, and the applicant's answer goes to that rep.
    The rep is chosen now and given the ticket, so a retry signs with the same rep and the
    returned form goes to them."""
    ticket, raw = load_ticket(ticket_id)
    rep = rep_for_request(ticket_id)
    _assign(ticket_id, rep.name)
    division = division_named_in(f"{ticket.subject}\n{ticket.text}")
    form = inquiry_form(division)
    message = render(
        REQUEST_REPLY,
        customer_name=sender_name(raw) or "Sir or Madam",
        division=division,
        form_name=form.filename,
        rep_name=rep.name,
    )
    reply = OutgoingEmail(
        key=f"ticket:{ticket_id}:reply",
        to=ticket.sender,
        subject=message.subject,
        body=message.body,
        template=message.template,
        values={
            "division": division.key if division else None,
            "form": form.filename,
            "rep": rep.key,
        },
        ticket_id=ticket_id,
        attachments=[form],
        in_reply_to=ticket.message_id,
    )
    return signed_by(reply, rep)


def _assign(ticket_id: int, assignee: str) -> None:
    with store.session() as s:
        row = s.get(TicketRow, ticket_id)
        if row is not None:
            row.assignee = assignee


def inquiry_form_from_ticket(ticket_id: int) -> dict[str, object]:
    """The returned form's answers (see `returned_form_from_ticket`)."""
    return returned_form_from_ticket(ticket_id)[0]


def returned_form_from_ticket(ticket_id: int) -> tuple[dict[str, object], FormReading | None]:
    """The returned form's answers, with the sender's address and name where the form leaves
    them blank, and how they were read: csflows' fillable PDF first, else the attachment (PDF,
    scan or photo) from which the most answers could be read (csflows.vetting.forms.returned)."""
    ticket, raw = load_ticket(ticket_id)
    readings = [r for name, content in form_attachments(raw) if (r := read_returned(name, content))]
    reading = next((r for r in readings if not r.by_machine), None) or max(
        readings, key=lambda r: _answers(r.form), default=None
    )
    defaults = {"email": ticket.sender, "contact_name": sender_name(raw) or None}
    if reading is not None and reading.by_machine:  # as read, unfit values too: a person keys it
        read = dict(reading.form)
        return read | {k: v for k, v in defaults.items() if v and not read.get(k)}, reading
    form = NewCustomerInquiry()
    if reading is not None:
        form, _unreadable = inquiry_from_data(reading.form)
    missing = {k: v for k, v in defaults.items() if v and not getattr(form, k)}
    data = form.model_copy(update=missing).model_dump(mode="json", exclude_none=True)
    return data, reading


FORMS_TOGETHER = 2  # returned forms found in one triage run from which one burst checks them


def forms_checked_together(
    readings: dict[int, FormReading | None], at_least: int = FORMS_TOGETHER
) -> list[int]:
    """The tickets whose returned forms one burst checks (issue 24: one process, not one each):
    every form not read by machine (a person keys those first, in a vetting run of their own),
    when there are `at_least`; none when fewer (a form alone starts its own run, as before)."""
    together = [t for t, r in readings.items() if r is None or not r.by_machine]
    return together if len(together) >= at_least else []


def _answers(form: dict[str, object]) -> int:
    return sum(_answers(v) if isinstance(v, dict) else 1 for v in form.values())  # type: ignore[arg-type]
