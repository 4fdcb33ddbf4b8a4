"""Seed 003 on tickets: the sender's service tier shows on the review form, the assignee's mail,
the digest, the open-tickets table and the NetSuite case; an "extra special service" customer's
ticket goes to the person configured for them and stands first in the review queue and the
digest; a sender who is no known customer shows nothing, and base service changes nothing."""

from __future__ import annotations

from datetime import date
from email.message import EmailMessage
from pathlib import Path

from csflows import store
from csflows.store.tables import CustomerRow, TicketRow
from csflows.tiers import tier_policy
from csflows.triage import notices, review
from csflows.triage.mail import intake
from csflows.triage.mail.intake import store_raw
from csflows.triage.mirrors import support_cases
from csflows.triage.mirrors.ledger import TicketView
from csflows.triage.policy import ticket_types
from csflows.triage.routing import pending_ticket_ids, triage_tickets

TOP = "Extra special service"
MONDAY = date(2026, 11, 30)


def _customer(cid: str, email: str, tier: str) -> None:
    with store.session() as s:
        s.add(CustomerRow(id=cid, name=cid, email=email, division="sulyn", level=2, tier=tier))


def _ticket(n: int, sender: str, assignee: str, status: str) -> int:
    message = EmailMessage()
    message["From"], message["To"] = sender, "cs@advantus.com"
    message["Subject"], message["Message-ID"] = f"Question {n}", f"<tier-{n}@shop.example>"
    message.set_content("Do you stock the spring catalog?")
    ticket_id = intake.store_message("default", bytes(message))
    with store.session() as s:
        row = s.get(TicketRow, ticket_id)
        assert row is not None
        row.type, row.assignee, row.status = "Question", assignee, status
        row.sender, row.subject = sender, f"Question {n}"
        row.parsed = {"text": "Do you stock the spring catalog?", "attachments": []}
    return ticket_id


def test_the_review_form_shows_the_tier_and_says_an_extra_special_ticket_stands_first() -> None:
    base, top = tier_policy().tiers
    ticket = TicketRow(id=7, inbox="default", sender="vip@shop.example", subject="hi")
    lines = review.review_context(ticket, top).splitlines()
    assert lines[0].endswith(f"First in the queue: a customer of **{TOP}**.")
    shown = f"**Service tier:** {TOP} \\(More individual attention from Customer Service\\)  "
    assert shown in lines  # markdown-escaped: the dialog shows the parentheses
    standard = review.review_context(ticket, base).splitlines()
    assert "First in the queue" not in standard[0]
    assert "**Service tier:** Standard service  " in standard
    assert not any("tier" in line.lower() for line in review.review_context(ticket).splitlines())


def test_an_extra_special_review_run_is_tagged_to_stand_first() -> None:
    base, top = tier_policy().tiers
    assert review.review_tags(top) == ["ticket-review", "tier:extra_special", "first-in-queue"]
    assert review.review_tags(base) == ["ticket-review", "tier:standard"]
    assert review.review_tags(None) == ["ticket-review"]


def test_the_review_queue_starts_with_extra_special_tickets(store_ready: Path) -> None:
    _customer("C-1", "vip@shop.example", "extra_special")
    _customer("C-2", "plain@shop.example", "standard")
    older = _ticket(1, "plain@shop.example", "Customer Service", "needs_triage")
    unknown = _ticket(2, "stranger@nowhere.example", "Customer Service", "needs_triage")
    vip = _ticket(3, "VIP Buyer <VIP@shop.example>", "Customer Service", "needs_triage")
    assert review.needing_review() == [vip, older, unknown]
    assert review.needing_review(limit=1) == [vip]


def test_a_reviewed_extra_special_ticket_goes_to_the_configured_person(store_ready: Path) -> None:
    _customer("C-1", "vip@shop.example", "extra_special")
    vip = _ticket(1, "vip@shop.example", "Customer Service", "needs_triage")
    plain = _ticket(2, "plain@shop.example", "Customer Service", "needs_triage")
    answer = review.TicketReview(type="Question", reviewer="Jordan Diaz")
    policy = ticket_types()
    for ticket_id in (vip, plain):
        review.apply_review(ticket_id, answer, policy)
    with store.session() as s:
        assignees = [s.get(TicketRow, t).assignee for t in (vip, plain)]  # type: ignore[union-attr]
    assert assignees == ["Casey Wong", "Customer Service"]


def test_triage_gives_an_extra_special_customers_ticket_to_the_configured_person(
    store_ready: Path,
) -> None:
    _customer("C-1", "purchasing@campusstore.example", "extra_special")
    _customer("C-2", "orders@deskdepot.example", "standard")
    for n, sender in enumerate(("purchasing@campusstore.example", "orders@deskdepot.example")):
        message = EmailMessage()
        message["From"], message["To"] = sender, "cs@advantus.com"
        message["Subject"], message["Message-ID"] = f"Purchase Order 7790{n}", f"<po-{n}@x>"
        message.set_content(f"Attached is purchase order 7790{n}.")
        message.add_attachment(b"%PDF-1.4", "application", "pdf", filename=f"PO_7790{n}.pdf")
        assert store_raw("sales", 1, n + 1, message.as_bytes()) is not None
    vip, plain = triage_tickets(pending_ticket_ids())
    assert vip.type == plain.type == "Sales Order - Sales Order Received!"
    assert (vip.assignee, plain.assignee) == ("Casey Wong", "Customer Service")
    with store.session() as s:
        assert s.get(TicketRow, vip.id).assignee == "Casey Wong"  # type: ignore[union-attr]


def test_the_assignees_mail_shows_a_known_customers_tier_and_nothing_for_a_stranger(
    store_ready: Path,
) -> None:
    _customer("C-1", "vip@shop.example", "extra_special")
    vip = _ticket(1, "vip@shop.example", "Casey Wong", "open")
    stranger = _ticket(2, "stranger@nowhere.example", "Casey Wong", "open")
    mails = {m.ticket_id: m for m in notices.assignment_mails([vip, stranger])}
    assert f"Service tier: {TOP} (More individual attention" in mails[vip].body
    assert "Service tier" not in mails[stranger].body


def test_the_digest_lists_extra_special_tickets_first_with_their_tier(store_ready: Path) -> None:
    _customer("C-1", "vip@shop.example", "extra_special")
    _customer("C-2", "plain@shop.example", "standard")
    _ticket(1, "plain@shop.example", "Casey Wong", "open")
    _ticket(2, "stranger@nowhere.example", "Casey Wong", "open")
    _ticket(3, "vip@shop.example", "Casey Wong", "open")
    [digest] = notices.digests(MONDAY)
    listed = [line for line in digest.body.splitlines() if line.startswith("- Ticket")]
    assert [line.split(": ")[-1] for line in listed] == ["Question 3", "Question 1", "Question 2"]
    assert f"from vip@shop.example ({TOP}): Question 3" in listed[0]
    assert "(Standard service)" in listed[1] and "(" not in listed[2].split("from ")[1]


def test_the_open_tickets_table_puts_extra_special_tickets_first(store_ready: Path) -> None:
    _customer("C-1", "vip@shop.example", "extra_special")
    _ticket(1, "stranger@nowhere.example", "Customer Service", "open")
    _ticket(2, "vip@shop.example", "Casey Wong", "open")
    rows = notices.open_tickets_table()
    assert [(r["from"], r["tier"]) for r in rows] == [
        ("vip@shop.example", TOP),
        ("stranger@nowhere.example", ""),
    ]


def _view(sender: str) -> TicketView:
    return TicketView(
        12, "<m@x>", "sales", 3, 9, sender, "Question", "Question", "Casey Wong", "open"
    )  # fmt: skip


def test_the_netsuite_case_carries_the_tier_and_its_priority_when_mapped() -> None:
    base, top = tier_policy().tiers
    rules = support_cases.mapping()
    record = support_cases.case_record(_view("vip@shop.example"), "", rules, top)
    assert record["custevent_csflows_service_tier"] == TOP and "priority" not in record
    mapped = rules.model_copy(update={"priority": {"extra_special": "1"}})
    assert support_cases.case_record(_view("a@b.example"), "", mapped, top)["priority"] == {
        "id": "1"
    }
    assert "priority" not in support_cases.case_record(_view("a@b.example"), "", mapped, base)
    stranger = support_cases.case_record(_view("stranger@nowhere.example"), "", rules)
    assert "custevent_csflows_service_tier" not in stranger
