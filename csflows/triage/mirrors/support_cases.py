"""A ticket as a NetSuite supportCase (SuiteTalk REST): title, first lines, sender, status,
type, assignee and the sender's service tier (seed 003), as mapped in config/support_cases.yaml. Upserted by external id
(csflows.netsuite.upsert), so a retry updates the case the first try made."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import Field

from csflows import config, netsuite, store
from csflows.errors import ExternalError
from csflows.models.common import Model
from csflows.store.tables import TicketRow
from csflows.tiers.policy import Tier
from csflows.tiers.service import address_of, sender_tiers
from csflows.triage.mirrors import ledger
from csflows.triage.mirrors.ledger import NETSUITE, TicketView

RECORD = "supportCase"


class SupportCaseMapping(Model):
    external_id_prefix: str = "csflows-ticket-"
    incoming_message_lines: int = Field(20, ge=1)
    title_max_length: int = Field(200, ge=10)
    status: dict[str, str] = {}
    default_status: str = "1"
    type_field: str | None = None
    assignee_field: str | None = None
    category: dict[str, str] = {}
    assigned: dict[str, str] = {}
    origin: str | None = None
    tier_field: str | None = None
    priority: dict[str, str] = {}


def mapping(path: Path | None = None) -> SupportCaseMapping:
    return config.load("support_cases", SupportCaseMapping, path)


def external_id(ticket_id: int, rules: SupportCaseMapping) -> str:
    return f"{rules.external_id_prefix}{ticket_id}"


def first_lines(text: str, lines: int) -> str:
    """The mail's first `lines` non-empty lines: what a person reads first."""
    kept = [line.rstrip() for line in text.splitlines() if line.strip()]
    return "\n".join(kept[:lines])


def _ref(internal_id: str) -> dict[str, str]:
    return {"id": internal_id}


def case_record(
    ticket: TicketView, body: str, rules: SupportCaseMapping, tier: Tier | None = None
) -> dict[str, Any]:
    """The supportCase fields for the ticket as it is now; `tier`: the sender's, when the sender
    is a known customer (its name in `tier_field`, its key mapped to a case priority)."""
    record: dict[str, Any] = {
        "externalId": external_id(ticket.id, rules),
        "title": (ticket.subject or "(no subject)")[: rules.title_max_length],
        "incomingMessage": first_lines(body, rules.incoming_message_lines),
        "email": ticket.sender,
        "status": _ref(rules.status.get(ticket.status, rules.default_status)),
    }
    if ticket.type and ticket.type in rules.category:
        record["category"] = _ref(rules.category[ticket.type])
    if ticket.assignee and ticket.assignee in rules.assigned:
        record["assigned"] = _ref(rules.assigned[ticket.assignee])
    if rules.type_field:
        record[rules.type_field] = ticket.type or ""
    if rules.assignee_field:
        record[rules.assignee_field] = ticket.assignee or ""
    if rules.origin:
        record["origin"] = _ref(rules.origin)
    if rules.tier_field and tier is not None:
        record[rules.tier_field] = tier.name
    if tier is not None and tier.key in rules.priority:
        record["priority"] = _ref(rules.priority[tier.key])
    return record


def upsert_case(
    account: netsuite.NetSuiteAccount,
    ticket: TicketView,
    body: str,
    rules: SupportCaseMapping,
    tier: Tier | None = None,
) -> str:
    """Create or update the ticket's case; returns its internal id."""
    record = case_record(ticket, body, rules, tier)
    return netsuite.upsert(account, RECORD, external_id(ticket.id, rules), record)


@dataclass
class CaseSync:
    upserted: dict[int, str] = field(default_factory=dict)  # ticket id: case internal id
    failed: dict[int, str] = field(default_factory=dict)  # ticket id: error, retried next run


def ticket_text(ticket_id: int) -> str:
    """The mail's text as triage parsed it ("" for a message that could not be parsed)."""
    with store.session() as s:
        row = s.get(TicketRow, ticket_id)
        parsed = row.parsed if row is not None else None
        return str(parsed.get("text") or "") if parsed else ""


def sync_cases(
    account: netsuite.NetSuiteAccount, tickets: list[TicketView], rules: SupportCaseMapping
) -> CaseSync:
    """Upsert each ticket's case; one that fails is recorded on the ticket and tried next run."""
    result = CaseSync()
    tiers = sender_tiers(t.sender for t in tickets)
    for ticket in tickets:
        tier = tiers.get(address_of(ticket.sender))
        try:
            case_id = upsert_case(account, ticket, ticket_text(ticket.id), rules, tier)
        except ExternalError as exc:
            result.failed[ticket.id] = str(exc)
            ledger.record_failure(ticket, NETSUITE, str(exc))
        else:
            result.upserted[ticket.id] = case_id
            ledger.record_mirrored(ticket, NETSUITE, ref=case_id)
    return result
