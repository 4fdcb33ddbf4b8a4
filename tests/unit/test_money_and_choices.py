"""Money shown with its currency, and choices shown in words but kept as codes."""

from __future__ import annotations

from decimal import Decimal

import pytest
from prefect._internal.pydantic.v2_schema import create_v2_schema
from prefect.input import RunInput
from pydantic import Field, ValidationError

from csflows.money import usd
from csflows.run_inputs import Choice, in_words, with_context


@pytest.mark.parametrize(
    ("amount", "shown"),
    [
        (Decimal("1234.5"), "$1,234.50"),
        (Decimal("124.00"), "$124.00"),
        (124, "$124.00"),
        ("1250000", "$1,250,000.00"),
        (99.5, "$99.50"),
        (Decimal("-5"), "-$5.00"),
    ],
)
def test_an_amount_is_shown_in_dollars_with_cents_and_thousands_separators(
    amount: Decimal | int | float | str, shown: str
) -> None:
    assert usd(amount) == shown


def test_letters_drop_the_cents_of_a_whole_amount_as_the_seeds_write_it() -> None:
    assert usd(2000, cents=False) == "$2,000" and usd("350.50", cents=False) == "$350.50"


class Pick(Choice):
    ENTER_ORDER = "enter the order"
    REQUEST_INFO = "ask the applicant for information"


class PickForm(RunInput):
    pick: Pick = Field(description="What to do.")
    reviewer: str = Field(description="Who decides.")


def test_a_choice_reads_its_words_and_its_code_and_keeps_the_code() -> None:
    assert Pick("enter the order") is Pick("enter_order") is Pick.ENTER_ORDER
    assert Pick.REQUEST_INFO.code == "request_info"
    assert PickForm(pick="request_info", reviewer="Pat").pick is Pick.REQUEST_INFO
    with pytest.raises(ValidationError):
        PickForm(pick="request info", reviewer="Pat")


def test_the_form_offers_the_words_and_requires_who_decides() -> None:
    """The schema Prefect saves for the Resume dialog (and checks an answer against)."""
    form = with_context(PickForm, "what to decide", pick=Pick.ENTER_ORDER)
    schema = create_v2_schema(form.__name__, model_base=form)
    assert schema["definitions"]["Pick"]["enum"] == [
        "enter the order",
        "ask the applicant for information",
    ]
    assert schema["properties"]["pick"]["default"] == "enter the order"
    assert "reviewer" in schema["required"] and "default" not in schema["properties"]["reviewer"]


def test_a_code_in_words() -> None:
    assert in_words("credit_card") == "credit card" and in_words(None) == ""
