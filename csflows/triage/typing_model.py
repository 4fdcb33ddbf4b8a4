"""Which model types a ticket: the promoted scikit-learn model when there is one (it was
measured on writers it never saw, and its threshold keeps auto-handled mail 95 % right), else the
rules and the naive Bayes model trained at load. A fresh installation has no promoted model
until `retrain-classifier` has run once."""

from __future__ import annotations

from csflows.errors import NotFound
from csflows.triage import model_store
from csflows.triage.assignment import TriageDecision, decide
from csflows.triage.classifier import Classification, Classifier, InboundMail, direction_of


def classify_and_decide(mail: InboundMail, rules: Classifier) -> TriageDecision:
    """The ticket's type, confidence and what happens to it."""
    try:
        model = model_store.current_model()
    except NotFound:
        return decide(rules.classify(mail), rules.policy)
    kind, confidence, alternatives = model.predict(mail)
    result = Classification(
        kind,
        confidence,
        direction_of(mail, rules.policy),
        [f"model:{model_store.current_version()}"],
        alternatives,
    )
    return decide(result, rules.policy, threshold=model.threshold)
