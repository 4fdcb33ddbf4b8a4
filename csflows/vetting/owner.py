"""Who owns an inquiry (seed 001): "the Customer Service rep who initiated the process" reviews
the returned form, sends it back when incomplete and tells the applicant the outcome. The rep is
the one asked for (`csflows vet --rep`), else the assignee of the mail the form came in, else the
next rep in rotation."""

from __future__ import annotations

from sqlalchemy import func, select

from csflows import store
from csflows.people import Person, Role, people
from csflows.store.tables import InquiryRow, TicketRow


def rep_for(requested: str | None, ticket_id: int | None) -> Person:
    """The rep who runs a new inquiry; PersonNotFound naming the unknown person when `requested`
    is not in people.yaml."""
    team = people()
    if requested:
        return team.get(requested)
    if ticket_id is not None:
        with store.session() as s:
            assignee = s.scalar(select(TicketRow.assignee).where(TicketRow.id == ticket_id))
        person = team.find(assignee or "")
        if person is not None and Role.REP in person.roles:
            return person
    reps = team.with_role(Role.REP) or [team.supervisor]
    with store.session() as s:
        taken = int(s.scalar(select(func.count()).select_from(InquiryRow)) or 0)
    return reps[taken % len(reps)]


def rep_of(rep_key: str | None) -> Person:
    """The person behind an inquiry's recorded rep (the supervisor for inquiries from before
    reps were recorded, or whose rep has left people.yaml)."""
    team = people()
    return team.find(rep_key or "") or team.supervisor
