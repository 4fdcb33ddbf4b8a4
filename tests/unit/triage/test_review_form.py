"""The ticket-review gate as a person reads it: what to decide and the classifier's guesses first,
then the message; a guess the model is unsure of is shown, never pre-selected, and the server
refuses the form until a person chooses a type and names themselves; the assignee follows the type
chosen."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from prefect._internal.pydantic.v2_schema import create_v2_schema
from prefect.utilities import schema_tools

from csflows import store
from csflows.run_inputs import with_context
from csflows.store.tables import TicketRow
from csflows.triage import review
from csflows.triage.policy import ticket_types

RFQ = "QUOTE - Request for Quote"


def _ticket(kind: str | None, confidence: float | None, message: int = 0) -> TicketRow:
    guesses = [[kind, confidence], ["Question", 0.09], ["Task", 0.05]] if kind else None
    return TicketRow(
        message_id=f"<unsure-{message}@shop.example>",
        inbox="cs",
        sender="kim@shop.example",
        subject="hi",
        status="needs_triage",
        raw=b"",
        type=kind,
        confidence=confidence,
        guesses=guesses,
    )


def _schema(ticket: TicketRow) -> dict[str, Any]:
    """The form's JSON schema as Prefect stores it with the paused run (the server checks an
    answer against it before the run resumes)."""
    policy = ticket_types()
    form = with_context(
        review.review_form(policy), "the message", **review.suggested(ticket, policy)
    )
    schema: dict[str, Any] = create_v2_schema(form.__name__, model_base=form)
    return schema


def _server_accepts(schema: dict[str, Any], answer: dict[str, Any]) -> bool:
    try:
        schema_tools.validate(answer, schema, raise_on_error=True)
    except schema_tools.ValidationError:
        return False
    return True


ANSWER = {"action": "route as typed", "reviewer": "Jordan Diaz", "note": ""}


@pytest.mark.parametrize("kind, confidence", [(RFQ, 0.11), (RFQ, 0.49), (None, None)])
def test_an_unsure_guess_is_not_preselected_and_the_form_needs_a_persons_choice(
    kind: str | None, confidence: float | None
) -> None:
    assert ticket_types().preselect_guess_from == 0.5
    schema = _schema(_ticket(kind, confidence))
    field = schema["properties"]["type"]
    assert "default" not in field and "type" in schema["required"]
    assert RFQ in field["enum"]  # every type is offered
    assert not _server_accepts(schema, ANSWER)  # sent as it opens: refused
    assert _server_accepts(schema, {**ANSWER, "type": RFQ})  # a person chose


def test_a_sure_guess_is_preselected_for_a_person_to_confirm() -> None:
    schema = _schema(_ticket(RFQ, 0.55))
    assert schema["properties"]["type"]["default"] == RFQ
    assert "type" not in schema.get("required", [])
    assert _server_accepts(schema, {**ANSWER, "type": RFQ})


def test_a_guess_is_preselected_from_the_configured_level() -> None:
    policy = ticket_types()
    raised = policy.model_copy(update={"preselect_guess_from": 0.8})
    assert review.suggested(_ticket(RFQ, 0.79), raised) == {}
    assert review.suggested(_ticket(RFQ, 0.8), raised) == {"type": RFQ}


def _reviewed(answer: review.TicketReview, message: int) -> tuple[str | None, str | None]:
    """(type, assignee) of a stored unsure ticket after `answer`."""
    with store.session() as s:
        ticket = _ticket("Question", 0.11, message)
        s.add(ticket)
        s.flush()
        ticket_id = ticket.id
    review.apply_review(ticket_id, answer, ticket_types())
    with store.session() as s:
        row = s.get(TicketRow, ticket_id)
        assert row is not None
        return row.type, row.assignee


def test_the_assignee_starts_on_whoever_the_chosen_type_goes_to(store_ready: Path) -> None:
    schema = _schema(_ticket(RFQ, 0.11))
    assignee = schema["properties"]["assignee"]
    assert assignee["default"] == review.BY_TYPE and "Mary Callie" in assignee["enum"]
    by_type = review.TicketReview(type=RFQ, reviewer="Jordan Diaz")
    assert _reviewed(by_type, 1) == (RFQ, "Mary Callie")  # seed 004: quotes go to Mary Callie
    chosen = by_type.model_copy(update={"assignee": "Customer Service"})
    assert _reviewed(chosen, 2) == (RFQ, "Customer Service")  # a person's choice is kept


TICKET = TicketRow(
    id=5,
    inbox="default",
    sender="kim@shop.example",
    subject="hi",
    parsed={"text": "see you then", "attachments": []},
    guesses=[["Question", 0.41], ["Task", 0.3], ["Customer complaint", 0.1]],
)


def test_the_review_dialog_says_what_to_decide_then_the_guesses_then_the_message() -> None:
    lines = review.review_context(TICKET).splitlines()
    assert lines[0] == (
        "**Type this ticket and choose who handles it**: the classifier was not sure."
    )
    assert lines[2] == (
        "**The classifier's best guesses:** Question 41%; Task 30%; Customer complaint 10%"
    )
    assert lines.index("**From:** kim@shop\\.example  ") > 2
    assert lines[-1] == "> see you then"


def test_a_message_that_could_not_be_read_says_so_first() -> None:
    unread = TicketRow(id=6, inbox="default", sender="x@y.example", subject="", parse_error="bad")
    lines = review.review_context(unread).splitlines()
    assert lines[0].endswith("the message could not be read.")
    assert lines[2] == "**Could not be read:** bad"


def test_the_reviewer_starts_empty_and_is_required() -> None:
    policy = ticket_types()
    form = with_context(review.review_form(policy), "", **review.suggested(TICKET, policy))
    schema = create_v2_schema(form.__name__, model_base=form)
    assert "reviewer" in schema["required"] and "default" not in schema["properties"]["reviewer"]
