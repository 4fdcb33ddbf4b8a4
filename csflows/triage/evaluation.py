"""How well the classifier does on the labelled set: stratified k-fold cross-validation, so no
message is classified by a model that was trained on it; precision and recall per type."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from csflows.triage.classifier import Classifier, LabelledMail
from csflows.triage.ticket_types import TicketTypes


@dataclass(frozen=True)
class TypeScore:
    type: str
    support: int
    precision: float
    recall: float

    @property
    def f1(self) -> float:
        both = self.precision + self.recall
        return 0.0 if both == 0 else 2 * self.precision * self.recall / both


@dataclass(frozen=True)
class Evaluation:
    scores: list[TypeScore]
    accuracy: float
    below_threshold: int  # held-out messages that would go to the needs-triage queue
    total: int
    accuracy_above_threshold: float  # of the messages triage decides without people

    @property
    def macro_f1(self) -> float:
        return sum(s.f1 for s in self.scores) / len(self.scores)


def stratified_folds(examples: Sequence[LabelledMail], folds: int) -> list[list[LabelledMail]]:
    """Each type's examples dealt round-robin into `folds` folds (deterministic)."""
    out: list[list[LabelledMail]] = [[] for _ in range(folds)]
    by_type: dict[str, list[LabelledMail]] = defaultdict(list)
    for example in examples:
        by_type[example.type].append(example)
    turn = 0
    for group in by_type.values():
        for example in group:
            out[turn % folds].append(example)
            turn += 1
    return out


def cross_validate(
    policy: TicketTypes, examples: Sequence[LabelledMail], folds: int = 5
) -> Evaluation:
    """Train on k-1 folds, classify the held-out fold, for every fold; score per type."""
    predicted: list[tuple[str, str]] = []
    below = 0
    sure_hits = 0
    parts = stratified_folds(examples, folds)
    for k, held_out in enumerate(parts):
        training = [e for j, part in enumerate(parts) if j != k for e in part]
        model = Classifier(policy, training)
        for example in held_out:
            result = model.classify(example.mail)
            predicted.append((example.type, result.type))
            unsure = result.confidence < policy.confidence_threshold
            below += unsure
            sure_hits += not unsure and result.type == example.type
    true_count = Counter(t for t, _ in predicted)
    guess_count = Counter(p for _, p in predicted)
    hits = Counter(t for t, p in predicted if t == p)
    scores = [
        TypeScore(
            name,
            true_count[name],
            hits[name] / guess_count[name] if guess_count[name] else 0.0,
            hits[name] / true_count[name] if true_count[name] else 0.0,
        )
        for name in policy.names()
    ]
    accuracy = sum(hits.values()) / max(len(predicted), 1)
    sure = len(predicted) - below
    return Evaluation(scores, accuracy, below, len(predicted), sure_hits / sure if sure else 0.0)
