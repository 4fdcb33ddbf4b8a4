"""Seed 000 as rules: who sent a PO, and what Customer Service does with it by level and division."""

from __future__ import annotations

import re

from csflows.models import Division, Level4Policy
from csflows.models.purchase_order import PoAction, PoDecision, PoReading, Sender, SenderKind

_ACCOUNT_NUMBER = re.compile(
    r"(?i)\b(?:account|acct|customer)[^\S\n]*(?:number|num\b\.?|no\b\.?|\#|id\b)?[^\S\n]*[:#]?[^\S\n]*"
    r"(?P<number>[A-Z0-9][A-Z0-9\-]{2,30})"
)
_LEVEL4_ACTIONS = {
    Level4Policy.MINIMUMS_LETTER: PoAction.MINIMUMS_LETTER,
    Level4Policy.REDIRECT_TO_WEBSITE: PoAction.REDIRECT_TO_WEBSITE,
}
MINIMUMS_TEMPLATE = "order_minimums"
UNKNOWN_SENDER_TEMPLATE = "po_unknown_sender"


def mail_domain(address: str) -> str:
    """`Buyer@Shop.Example` -> `shop.example`."""
    return address.rpartition("@")[2].strip().lower().rstrip(">")


def account_numbers(text: str) -> list[str]:
    """Account numbers quoted in a PO ("Account #: C-1003"); each has a digit."""
    found: list[str] = []
    for match in _ACCOUNT_NUMBER.finditer(text):
        number = match["number"].strip("-")
        if any(ch.isdigit() for ch in number) and number not in found:
            found.append(number)
    return found


def decide(sender: Sender, reading: PoReading, division: Division | None) -> PoDecision:
    """The action for a readable PO (or an unknown sender's, readable or not)."""
    if sender.kind is SenderKind.UNKNOWN:
        return PoDecision(
            action=PoAction.UNKNOWN_SENDER,
            reason=f"{sender.email} is neither a customer nor an applicant awaiting a first PO: "
            "routed to Customer Service",
            template=UNKNOWN_SENDER_TEMPLATE,
        )
    if not reading.readable:
        return PoDecision(
            action=PoAction.NEEDS_OPERATOR,
            reason="the PO cannot be read: " + "; ".join(reading.problems),
        )
    if sender.kind is SenderKind.APPLICANT:
        return PoDecision(
            action=PoAction.RESUME_VETTING,
            reason=f"the approved applicant's first PO (inquiry {sender.inquiry_id})",
        )
    if division is None:
        raise ValueError(f"customer {sender.customer_id}: no division")
    if sender.level == 4:
        return _level4(division, reading)
    return _minimums(division, reading, f"Level {sender.level}")


def _level4(division: Division, reading: PoReading) -> PoDecision:
    policy = division.level4_policy
    if policy in _LEVEL4_ACTIONS:
        return PoDecision(
            action=_LEVEL4_ACTIONS[policy],
            reason=f"Level 4, {division.name}: {division.level4_note}",
            template=division.level4_template,
        )
    if policy is Level4Policy.NONE:
        return PoDecision(
            action=PoAction.SUPERVISOR_REVIEW,
            reason=f"Level 4 in {division.name}, a division with no Level 4 customers (seed 000): "
            "a supervisor reviews it; nothing is sent",
        )
    return _minimums(division, reading, f"Level 4 ({policy.value})")


def _minimums(division: Division, reading: PoReading, level: str) -> PoDecision:
    minimum = division.minimums.order_amount
    total = reading.total
    assert total is not None  # readable
    if minimum is None:
        return PoDecision(
            action=PoAction.ACCEPT,
            reason=f"{level}, {division.name}: accepted; the division has no minimum order "
            "amount set in config/divisions.yaml, so none was checked",
        )
    if total < minimum:
        return PoDecision(
            action=PoAction.MINIMUMS_RESPONSE,
            reason=f"{level}, {division.name}: total {total} is below the minimum order {minimum}",
            template=MINIMUMS_TEMPLATE,
            values={"minimum": minimum, "shortfall": minimum - total},
            minimum=minimum,
        )
    return PoDecision(
        action=PoAction.ACCEPT,
        reason=f"{level}, {division.name}: total {total} meets the minimum order {minimum}",
        minimum=minimum,
    )


def public_domain(address: str, public_domains: list[str]) -> bool:
    """A free-mail domain (gmail.com, ...) says nothing about which business wrote."""
    return mail_domain(address) in {d.lower() for d in public_domains}
