"""What operators see of a PO in the Prefect UI: a markdown summary, sender text escaped."""

from __future__ import annotations

import re

from csflows.markdown import escape_strict
from csflows.models.purchase_order import PoOutcome, PoReading, Sender
from csflows.templates import usd


def artifact_key(outcome: PoOutcome, sender: Sender) -> str:
    """A Prefect artifact key (lowercase letters, digits, dashes) for this party and PO."""
    raw = f"po-{sender.party}-{outcome.po_number or f'ticket-{outcome.ticket_id}'}"
    return re.sub(r"[^a-z0-9-]+", "-", raw.lower()).strip("-")[:100]


def po_markdown(outcome: PoOutcome, sender: Sender, reading: PoReading, subject: str) -> str:
    """The PO, who sent it, what was read, and what was done and why."""
    who = {
        "customer": f"customer {escape_strict(sender.customer_id)} ({escape_strict(sender.name)})",
        "applicant": f"applicant, inquiry {sender.inquiry_id} ({escape_strict(sender.name)})",
        "unknown": "unknown sender",
    }[sender.kind.value]
    lines = [
        f"# PO {escape_strict(outcome.po_number) or '(not read)'}: {outcome.action.value.replace('_', ' ')}",
        "",
        f"- **From:** {escape_strict(sender.email)}, {who}"
        + (f", matched by {sender.matched_by.replace('_', ' ')}" if sender.matched_by else ""),
        *([f"- **Service tier:** {escape_strict(sender.tier)}"] if sender.tier else []),
        f"- **Subject:** {escape_strict(subject)}",
        f"- **Division / level:** {escape_strict(outcome.division) or '-'} / {outcome.level or '-'}",
        f"- **Total:** {usd(outcome.total) if outcome.total is not None else '(not read)'}"
        f" (read from {escape_strict(reading.source) or '-'})",
        f"- **Action:** `{outcome.action.value}`: {escape_strict(outcome.reason)}",
    ]
    if outcome.message_key:
        lines.append(f"- **Response:** outbox key `{outcome.message_key}`")
    if outcome.order_id:
        lines.append(f"- **Order:** entered as order {outcome.order_id}")
    if sender.note:
        lines.append(f"- **Note:** {escape_strict(sender.note)}")
    for problem in reading.problems:
        lines.append(f"- **Could not read:** {escape_strict(problem)}")
    if reading.lines:
        lines += ["", "| Description | Qty | Unit price | Amount |", "|---|---:|---:|---:|"]
        lines += [
            f"| {escape_strict(item.description)} | {item.quantity} | {usd(item.unit_price)} | {usd(item.amount)} |"
            for item in reading.lines
        ]
    return "\n".join(lines) + "\n"
