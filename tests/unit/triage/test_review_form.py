"""The ticket-review gate as a person reads it: what to decide and the classifier's guesses
first, then the message; the reviewer starts empty."""

from __future__ import annotations

from prefect._internal.pydantic.v2_schema import create_v2_schema

from csflows.run_inputs import with_context
from csflows.store.tables import TicketRow
from csflows.triage import review
from csflows.triage.policy import ticket_types

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
    assert lines[2:6] == [
        "**The classifier's best guesses:**",
        "",
        "1. Question: 41%",
        "2. Task: 30%",
    ]
    assert lines.index("**From:** kim@shop\\.example  ") > lines.index("3. Customer complaint: 10%")
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
