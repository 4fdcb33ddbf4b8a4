"""A message as the triage model reads it: its direction by domain, and from the classify
interface's JSON (from a parsed ticket: tests/unit/triage/test_mail.py)."""

from __future__ import annotations

import pytest

from csflows.triage.mail.inbound import InboundMail, direction_of, mail_from_json, to_supplier
from csflows.triage.policy import Direction, World, ticket_types


def _mail(sender: str, to: tuple[str, ...] = ("cs@advantus.com",)) -> InboundMail:
    return InboundMail(sender, to, "x")


def test_direction_by_domain() -> None:
    policy = ticket_types()
    assert direction_of(_mail("a@shop.example"), policy) is Direction.CUSTOMER
    assert direction_of(_mail("q@Orders.PackRight.test"), policy) is Direction.SUPPLIER
    assert direction_of(_mail("jen@advantus.com", ("b@shop.example",)), policy) is (
        Direction.SENT_BY_US
    )
    assert direction_of(_mail("jen@advantus.com", ("prepress@advantus.com",)), policy) is (
        Direction.INTERNAL
    )


def test_a_supplier_among_the_recipients_is_told_by_the_worlds_domains() -> None:
    policy = ticket_types()
    assert to_supplier(
        _mail("jen@advantus.com", ("b@shop.example", "q@Orders.PackRight.test")), policy
    )
    assert not to_supplier(_mail("jen@advantus.com", ("b@shop.example",)), policy)
    team = World(own_domains=["corvane-supply.example"], supplier_domains=["kestrelinks.example"])
    assert not to_supplier(_mail("jen@corvane-supply.example", ("q@packright.test",)), team)
    assert to_supplier(_mail("jen@corvane-supply.example", ("q@kestrelinks.example",)), team)


def test_mail_from_json_reads_cc_as_recipients_and_refuses_bad_rows() -> None:
    mail = mail_from_json(
        {"from": "pat@shop.example", "to": ["cs@advantus.com"], "cc": ["boss@shop.example"],
         "subject": "PO 4471", "attachments": ["po.pdf"]}
    )  # fmt: skip
    assert mail == InboundMail(
        "pat@shop.example", ["cs@advantus.com", "boss@shop.example"], "PO 4471", "", ["po.pdf"]
    )
    with pytest.raises(ValueError, match="from: expected a mail address"):
        mail_from_json({"from": "nobody", "to": []})
    with pytest.raises(ValueError, match="must be lists"):
        mail_from_json({"from": "pat@shop.example", "to": "cs@advantus.com"})
