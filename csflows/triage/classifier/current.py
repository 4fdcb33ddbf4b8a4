"""Which model types a ticket: the promoted one when retrain-classifier has promoted one, else the
model shipped with the repository (trained on config/training/, built once per machine). Both
were measured on writers they never saw, and their thresholds keep auto-handled mail at least
`auto_handled_precision` right (config/ticket_types.yaml); below the threshold a person types the
ticket."""

from __future__ import annotations

from collections.abc import Sequence

from csflows.errors import ModelNotFound
from csflows.triage.assignment import Classification, TriageDecision, decide
from csflows.triage.classifier import registry, training
from csflows.triage.classifier.model import TriageModel
from csflows.triage.mail.inbound import InboundMail, direction_of
from csflows.triage.policy import TicketTypes


def typing_model() -> TriageModel:
    """The promoted model, else the shipped one."""
    try:
        return registry.current_model()
    except ModelNotFound:
        return training.shipped_model()


def classify_many(mails: Sequence[InboundMail], policy: TicketTypes) -> list[TriageDecision]:
    """Each message's type, confidence, the next two types and what happens to the ticket."""
    model = typing_model()
    signal = f"model:{model.record.get('version', 'unsaved')}"
    team = [policy.domains()] * len(mails)  # the team's mail, read in the team's world
    return [
        decide(
            Classification(kind, confidence, direction_of(mail, policy), [signal], alternatives),
            policy,
            threshold=model.threshold,
        )
        for mail, (kind, confidence, alternatives) in zip(
            mails, model.predict_many(mails, team), strict=True
        )
    ]


def classify_and_decide(mail: InboundMail, policy: TicketTypes) -> TriageDecision:
    """The ticket's type, confidence and what happens to it."""
    return classify_many([mail], policy)[0]
