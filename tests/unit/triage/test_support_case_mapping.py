"""A ticket as a NetSuite supportCase, with the mapping in config/support_cases.yaml."""

from __future__ import annotations

from csflows.triage.mirrors import support_cases
from csflows.triage.mirrors.ledger import TicketView


def _ticket(status: str = "open", assignee: str = "Mary Callie") -> TicketView:
    return TicketView(
        12, "<m@x>", "sales", 3, 9, "ana@paperlanterncrafts.com", "Quote please",
        "QUOTE - Request for Quote", assignee, status,
    )  # fmt: skip


def test_the_configured_mapping_gives_a_case_a_suitetalk_user_recognises() -> None:
    rules = support_cases.mapping()
    body = "Hello,\n\n" + "\n".join(f"line {n}" for n in range(40))
    record = support_cases.case_record(_ticket(), body, rules)
    assert record["externalId"] == "csflows-ticket-12"
    assert record["title"] == "Quote please"
    assert record["incomingMessage"].splitlines()[:2] == ["Hello,", "line 0"]
    assert len(record["incomingMessage"].splitlines()) == rules.incoming_message_lines
    assert record["email"] == "ana@paperlanterncrafts.com"
    assert record["status"] == {"id": "2"}
    assert record["custevent_csflows_ticket_type"] == "QUOTE - Request for Quote"
    assert record["custevent_csflows_assignee"] == "Mary Callie"
    assert "assigned" not in record and "category" not in record  # none mapped yet
    resolved = support_cases.case_record(_ticket("resolved"), "", rules)
    assert resolved["status"] == {"id": "5"}
    assert support_cases.case_record(_ticket("received"), "", rules)["status"] == {"id": "1"}


def test_first_lines_skip_blank_lines() -> None:
    assert support_cases.first_lines("a\n\n  \nb\nc\n", 2) == "a\nb"
