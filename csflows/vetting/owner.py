"""Who owns an inquiry (seed 001): "The Customer Service rep that is assigned the email will reply"
to the account request with the form, and "the Customer Service rep who initiated the process"
reviews the returned form, sends it back when incomplete and tells the applicant the outcome.

The rep is chosen when the account request arrives (`rep_for_request`) and signs the first reply;
the returned form goes to that rep (`rep_for`)."""

from __future__ import annotations

from sqlalchemy import Select, func, select

from csflows import store
from csflows.people import Person, Role, people
from csflows.store.tables import InquiryRow, MessageRow, TicketRow

REQUEST_REPLY = "new_account_reply"  # the letter answering an account request (its template)


def rep_for_request(ticket_id: int) -> Person:
    """The rep who answers an account request: the ticket's assignee when that is a rep, else the
    next rep in rotation over the account requests answered so far."""
    return _assigned_rep(ticket_id) or _in_rotation(
        select(func.count()).where(MessageRow.template == REQUEST_REPLY)
    )


def rep_for(requested: str | None, ticket_id: int | None) -> Person:
    """The rep who runs a new inquiry: the one asked for (`csflows vet --rep`), else the rep who
    answered the applicant's account request, else the assignee of the mail the form came in,
    else the next rep in rotation. PersonNotFound naming the unknown person when `requested` is
    not in people.yaml."""
    team = people()
    if requested:
        return team.get(requested)
    if ticket_id is not None:
        found = _rep_who_answered(ticket_id) or _assigned_rep(ticket_id)
        if found is not None:
            return found
    return _in_rotation(select(func.count()).select_from(InquiryRow))


def _rep(key_or_name: str | None) -> Person | None:
    person = people().find(key_or_name or "")
    return person if person is not None and Role.REP in person.roles else None


def _assigned_rep(ticket_id: int) -> Person | None:
    with store.session() as s:
        return _rep(s.scalar(select(TicketRow.assignee).where(TicketRow.id == ticket_id)))


def _rep_who_answered(ticket_id: int) -> Person | None:
    """The rep who signed the latest account-request reply to this ticket's sender."""
    with store.session() as s:
        sender = s.scalar(select(TicketRow.sender).where(TicketRow.id == ticket_id))
        if not sender:
            return None
        values = s.scalar(
            select(MessageRow.template_values)
            .where(
                MessageRow.template == REQUEST_REPLY,
                func.lower(MessageRow.recipient) == sender.strip().lower(),
            )
            .order_by(MessageRow.id.desc())
            .limit(1)
        )
    return _rep((values or {}).get("rep"))


def _in_rotation(count_query: Select[int]) -> Person:
    team = people()
    reps = team.with_role(Role.REP) or [team.supervisor]
    with store.session() as s:
        taken = int(s.scalar(count_query) or 0)
    return reps[taken % len(reps)]


def rep_of(rep_key: str | None) -> Person:
    """The person behind an inquiry's recorded rep (the supervisor for inquiries from before
    reps were recorded, or whose rep has left people.yaml)."""
    team = people()
    return team.find(rep_key or "") or team.supervisor
