"""Assignees told (seed 004): one mail per assigned ticket with the original attached, one digest
per person a working day, nothing for auto-resolved tickets or the shared queue."""

from __future__ import annotations

from datetime import date
from email.message import EmailMessage
from pathlib import Path

from csflows import store
from csflows.store.tables import TicketRow
from csflows.triage import notices
from csflows.triage.mail import intake


def _ticket(n: int, assignee: str, status: str, subject: str = "RFQ: albums") -> int:
    message = EmailMessage()
    message["From"], message["To"] = f"buyer{n}@shop.example", "cs@advantus.com"
    message["Subject"], message["Message-ID"] = subject, f"<t{n}@shop.example>"
    message.set_content("Please quote 500 albums.")
    ticket_id = intake.store_message("default", bytes(message))
    with store.session() as s:
        row = s.get(TicketRow, ticket_id)
        assert row is not None
        row.type, row.assignee, row.status = "QUOTE - Request for Quote", assignee, status
        row.sender, row.subject = f"buyer{n}@shop.example", subject
        row.parsed = {"text": "Please quote 500 albums.", "attachments": []}
    return ticket_id


def test_a_person_is_told_of_their_ticket_with_the_original_and_nobody_else_is(
    store_ready: Path,
) -> None:
    mine = _ticket(1, "Mary Callie", "open")
    resolved = _ticket(2, "Mary Callie", "resolved")
    queue = _ticket(3, "Customer Service", "open")
    [mail] = notices.assignment_mails([mine, resolved, queue])
    assert (
        mail.to == "mary.callie@advantus.example"
        and mail.key == f"ticket:{mine}:assigned:mary-callie"
    )
    assert "Please quote 500 albums." in mail.body and "RFQ: albums" in mail.subject
    [original] = mail.attachments
    assert original.filename == f"ticket-{mine}.eml" and b"Subject: RFQ: albums" in original.content


def test_one_digest_per_person_on_a_working_day_and_none_on_a_weekend(store_ready: Path) -> None:
    _ticket(1, "Mary Callie", "open", "RFQ one")
    _ticket(2, "Mary Callie", "open", "RFQ two")
    _ticket(3, "Dana Ruiz", "open", "Question")
    _ticket(4, "Mary Callie", "resolved", "done already")
    monday = notices.digests(date(2026, 11, 30))
    assert sorted(m.to for m in monday) == [
        "dana.ruiz@advantus.example",
        "mary.callie@advantus.example",
    ]
    [mary] = [m for m in monday if m.to.startswith("mary")]
    assert "RFQ one" in mary.body and "RFQ two" in mary.body and "done already" not in mary.body
    assert mary.key == "ticket-digest:mary-callie:2026-11-30"
    assert notices.digests(date(2026, 11, 28)) == []  # a Saturday
