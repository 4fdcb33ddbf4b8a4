"""From a classification to what happens to the ticket: assignee, auto-resolve, route, or the
needs-triage queue when the classifier is not sure enough (seed 004's "who and when to assign")."""

from __future__ import annotations

from dataclasses import dataclass, field

from csflows.models import TicketStatus
from csflows.people import people
from csflows.tiers.policy import Tier
from csflows.triage.policy import Direction, Route, TicketTypes


@dataclass(frozen=True)
class Classification:
    """The model's answer for a message: its type, how sure, and the next best guesses."""

    type: str
    confidence: float
    direction: Direction
    signals: list[str] = field(default_factory=list)
    alternatives: list[tuple[str, float]] = field(default_factory=list)  # the next best guesses


@dataclass(frozen=True)
class TriageDecision:
    type: str
    confidence: float
    assignee: str
    auto_resolve: bool
    needs_triage: bool
    route: Route
    direction: str
    signals: list[str] = field(default_factory=list)
    alternatives: list[tuple[str, float]] = field(default_factory=list)

    @property
    def status(self) -> TicketStatus:
        if self.needs_triage:
            return TicketStatus.NEEDS_TRIAGE
        return TicketStatus.RESOLVED if self.auto_resolve else TicketStatus.OPEN


def decide(
    result: Classification, policy: TicketTypes, threshold: float | None = None
) -> TriageDecision:
    """Below the confidence threshold (the model's own, never under the policy's floor), or for
    a type and direction a person always decides (`person_decides`), people decide: no
    auto-resolve and no route."""
    kind = policy.get(result.type)
    unsure = (
        result.confidence < max(policy.confidence_threshold, threshold or 0.0)
        or result.direction in kind.person_decides
    )
    return TriageDecision(
        type=result.type,
        confidence=result.confidence,
        assignee=policy.default_assignee if unsure else policy.assignee(result.type),
        auto_resolve=not unsure and kind.resolves(result.direction),
        needs_triage=unsure,
        route=Route.NONE if unsure else kind.route,
        direction=result.direction.value,
        signals=result.signals,
        alternatives=result.alternatives,
    )


def tier_assignee(assignee: str, tier: Tier | None, policy: TicketTypes) -> str:
    """Seed 003's "extra special service": a ticket of a customer whose tier names a person
    (`tickets_to`) goes to them instead of the shared Customer Service queue. A type that names
    its own person keeps them, and every other customer's ticket keeps its type's assignee: base
    service stays the same for everyone."""
    if tier is None or tier.tickets_to is None or assignee != policy.default_assignee:
        return assignee
    return people().get(tier.tickets_to).name
