"""Seed 000 as rules: who sent a PO, and what Customer Service does with it by level and division."""

from __future__ import annotations

import re
from decimal import Decimal

from csflows.models import Division, Level4Policy
from csflows.models.purchase_order import PoAction, PoDecision, PoReading, Sender, SenderKind
from csflows.money import usd

_ACCOUNT_NUMBER = re.compile(
    r"(?i)\b(?:account|acct|customer)[^\S\n]*(?:number|num\b\.?|no\b\.?|\#|id\b)?[^\S\n]*[:#]?[^\S\n]*"
    r"(?P<number>[A-Z0-9][A-Z0-9\-]{2,30})"
)
MINIMUMS_TEMPLATE = "order_minimums"
FIRST_PO_MINIMUMS_TEMPLATE = "first_po_minimums"
LEVEL4_ANSWER_TEMPLATE = "level4_po_answer"  # each PO's answer; the division's letter goes once
UNKNOWN_SENDER_TEMPLATE = "po_unknown_sender"
SUPERVISOR_TEMPLATE = "po_supervisor_review"


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
        return _first_po(sender, reading, division)
    if division is None:
        raise ValueError(f"customer {sender.customer_id}: no division")
    if sender.level == 4:
        return _level4(division, reading)
    return _minimums(division, reading, sender.level)


def _first_po(sender: Sender, reading: PoReading, division: Division | None) -> PoDecision:
    """Seed 001 ("Can the customer order in the division-specified minimums?"): an approved
    applicant's first PO below the division's minimum order creates no customer; the applicant
    is told the minimum and the vetting keeps waiting for a first PO that meets it."""
    first = f"the approved applicant's first PO (inquiry {sender.inquiry_id})"
    minimum = division.minimums.order_amount if division else None
    total = reading.total
    assert total is not None  # readable
    if division is None or minimum is None or total >= minimum:
        return PoDecision(action=PoAction.RESUME_VETTING, reason=first)
    return _below_minimum(
        f"{first}: total {usd(total)} is below the {division.name} minimum order "
        f"{usd(minimum)}; no customer is created and the vetting waits for a PO that meets it",
        FIRST_PO_MINIMUMS_TEMPLATE,
        minimum,
        total,
    )


def _below_minimum(reason: str, template: str, minimum: Decimal, total: Decimal) -> PoDecision:
    """The minimums response: `template` tells the sender the minimum and what is missing."""
    return PoDecision(
        action=PoAction.MINIMUMS_RESPONSE,
        reason=reason,
        template=template,
        values={"minimum": minimum, "shortfall": minimum - total},
        minimum=minimum,
    )


def _level4(division: Division, reading: PoReading) -> PoDecision:
    policy = division.level4_policy
    if policy is Level4Policy.MINIMUMS_LETTER:
        return _minimums_letter(division, reading)
    if policy is Level4Policy.REDIRECT_TO_WEBSITE:
        return PoDecision(
            action=PoAction.REDIRECT_TO_WEBSITE,
            reason=f"Level 4, {division.name}: {division.level4_note}",
            template=division.level4_template,
        )
    if policy is Level4Policy.NONE:
        return PoDecision(
            action=PoAction.SUPERVISOR_REVIEW,
            template=SUPERVISOR_TEMPLATE,
            reason=f"Level 4 in {division.name}, a division with no Level 4 customers: the "
            "customer record's level is likely wrong. A supervisor checks it and decides "
            "whether the order is entered; the customer has been sent nothing",
        )
    return _minimums(division, reading, 4)


def _minimums_letter(division: Division, reading: PoReading) -> PoDecision:
    """Craft & Hobby's Level 4: the division's letter goes to the customer once (`announcement`),
    and every PO gets its answer: entered when it meets the minimum order, else held."""
    minimum, total = division.minimums.order_amount, reading.total
    assert total is not None  # readable
    note = f"Level 4, {division.name}: {division.level4_note}"
    if minimum is None:
        return _minimums_not_configured(division, 4, note)
    meets = total >= minimum
    verdict = (
        f"total {usd(total)} meets the minimum order {usd(minimum)}: the order is entered"
        if meets
        else f"total {usd(total)} is below the minimum order {usd(minimum)}: the order waits for the "
        "customer to bring it up to the minimums"
    )
    return PoDecision(
        action=PoAction.MINIMUMS_LETTER,
        reason=f"{note}; {verdict}",
        template=LEVEL4_ANSWER_TEMPLATE,
        values={
            "answer": "entered" if meets else "held",
            "minimum": minimum,
            "shortfall": max(minimum - total, Decimal(0)),
        },
        minimum=minimum,
        enter_order=meets,
    )


def singled_out(division: Division, level: int | None) -> bool:
    """Seed 000 names these customers for the order minimums: a Level 4 of a division that
    applies them, and the Level 3 that a division moved its Level 4 customers to (COP)."""
    return level == 4 or (level is not None and level == division.level4_moved_to_level)


def _minimums_not_configured(division: Division, level: int | None, note: str) -> PoDecision:
    return PoDecision(
        action=PoAction.SUPERVISOR_REVIEW,
        template=SUPERVISOR_TEMPLATE,
        reason=f"{note}. This customer is subject to the {division.name} order minimums "
        "(the Minimum Order Guidelines), but the division's minimum order is not configured: "
        "a supervisor checks the PO against the guidelines and decides",
    )


def _minimums(division: Division, reading: PoReading, level: int | None) -> PoDecision:
    treated = division.level4_policy.value.replace("_", " ").replace("level", "Level")
    label = f"Level {level}" if level != 4 else f"Level 4 ({treated})"
    minimum = division.minimums.order_amount
    total = reading.total
    assert total is not None  # readable
    if minimum is None:
        if singled_out(division, level):
            return _minimums_not_configured(division, level, f"{label}, {division.name}")
        return PoDecision(
            action=PoAction.ACCEPT,
            reason=f"{label}, {division.name}: accepted without a minimums check",
            enter_order=True,
            flags=[f"no minimum order is configured for {division.name}: not checked"],
        )
    if total < minimum:
        return _below_minimum(
            f"{label}, {division.name}: total {usd(total)} is below the minimum order "
            f"{usd(minimum)}",
            MINIMUMS_TEMPLATE,
            minimum,
            total,
        )
    return PoDecision(
        action=PoAction.ACCEPT,
        reason=f"{label}, {division.name}: total {usd(total)} meets the minimum order "
        f"{usd(minimum)}",
        minimum=minimum,
        enter_order=True,
    )


def public_domain(address: str, public_domains: list[str]) -> bool:
    """A free-mail domain (gmail.com, ...) says nothing about which business wrote."""
    return mail_domain(address) in {d.lower() for d in public_domains}
