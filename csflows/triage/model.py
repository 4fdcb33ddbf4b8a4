"""The learned triage model: one scikit-learn pipeline from a message's parts to calibrated type
probabilities, and `predict(mail)` on the promoted model.

Text features are TF-IDF word n-grams of the subject and of the new text, character n-grams of
both (misspellings, Spanish, part numbers), the quoted history at a low weight, and the structural
signal tokens of `csflows.triage.features`. The classifier is a linear SVM with sigmoid-calibrated
probabilities (`CalibratedClassifierCV`), so the confidence threshold means something.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sklearn.calibration import CalibratedClassifierCV
from sklearn.compose import ColumnTransformer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import Pipeline
from sklearn.svm import LinearSVC

from csflows.triage.classifier import InboundMail
from csflows.triage.features import DIRECTED, NEW, QUOTED, SIGNALS, SUBJECT, TEXT, mail_parts
from csflows.triage.ticket_types import TicketTypes

# Each feature group's weight, chosen by leave-one-writer-out accuracy (bench/README.md):
# character n-grams generalise best across writers (typos, Spanish, part numbers).
WEIGHTS = {
    "subject": 1.0,
    "words": 1.0,
    "chars": 5.0,
    "quoted": 0.3,
    "signals": 1.0,
    "directed": 2.0,
    "quoted_chars": 0.0,  # measured no better than the quoted words; left out
}
SVM_C = 0.3
CALIBRATION_FOLDS = 3

Prediction = tuple[str, float, list[tuple[str, float]]]  # type, confidence, the next two types


def rows(mails: Sequence[InboundMail], policy: TicketTypes) -> np.ndarray[Any, Any]:
    """The pipeline's input: one row of text columns per message (see `SUBJECT` ... `TEXT`)."""
    out = np.empty((len(mails), DIRECTED + 1), dtype=object)
    for i, mail in enumerate(mails):
        out[i] = mail_parts(mail, policy).row()
    return out


def _tfidf(**options: Any) -> TfidfVectorizer:
    return TfidfVectorizer(**{"sublinear_tf": True, **options})


def build_pipeline(weights: dict[str, float] | None = None, c: float = SVM_C) -> Pipeline:
    """An unfitted pipeline: the column features (a weight of 0 leaves one out), then the
    calibrated linear classifier."""
    weights = {**WEIGHTS, **(weights or {})}
    words: dict[str, Any] = {"strip_accents": "unicode", "ngram_range": (1, 2), "min_df": 2}
    chars: dict[str, Any] = {"analyzer": "char_wb", "ngram_range": (2, 5), "min_df": 2}
    tokens: dict[str, Any] = {"token_pattern": r"\S+", "lowercase": False}
    features: dict[str, tuple[Any, int]] = {
        "subject": (_tfidf(**{**words, "min_df": 1}), SUBJECT),
        "words": (_tfidf(**words), NEW),
        "chars": (_tfidf(**chars), TEXT),
        "quoted": (_tfidf(strip_accents="unicode", min_df=2), QUOTED),
        "quoted_chars": (_tfidf(**chars), QUOTED),
        "signals": (
            _tfidf(binary=True, use_idf=False, sublinear_tf=False, norm=None, **tokens),
            SIGNALS,
        ),
        "directed": (_tfidf(min_df=2, **tokens), DIRECTED),
    }
    columns = ColumnTransformer(
        [
            (name, vectorizer, column)
            for name, (vectorizer, column) in features.items()
            if weights.get(name)
        ],
        transformer_weights={name: w for name, w in weights.items() if w},
    )
    svm = LinearSVC(C=c, class_weight="balanced")
    model = CalibratedClassifierCV(svm, method="sigmoid", cv=CALIBRATION_FOLDS)
    return Pipeline([("features", columns), ("classify", model)])


@dataclass
class TriageModel:
    """A fitted pipeline with the policy it reads directions by and its auto-handling threshold."""

    pipeline: Pipeline
    policy: TicketTypes
    threshold: float = 1.0  # nothing is auto-handled until an evaluation sets it
    record: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def fit(
        cls,
        mails: Sequence[InboundMail],
        types: Sequence[str],
        policy: TicketTypes,
        **options: Any,
    ) -> TriageModel:
        pipeline = build_pipeline(**options)
        pipeline.fit(rows(mails, policy), np.asarray(types))
        return cls(pipeline, policy)

    @property
    def labels(self) -> list[str]:
        return [str(c) for c in self.pipeline.classes_]

    def probabilities(self, mails: Sequence[InboundMail]) -> np.ndarray[Any, Any]:
        """One row of type probabilities per message, columns in `labels` order."""
        result: np.ndarray[Any, Any] = self.pipeline.predict_proba(rows(mails, self.policy))
        return result

    def predict_many(self, mails: Sequence[InboundMail]) -> list[Prediction]:
        labels = self.labels
        out = []
        for p in self.probabilities(mails):
            order = np.argsort(-p)[:3]
            ranked = [(labels[i], round(float(p[i]), 4)) for i in order]
            out.append((ranked[0][0], ranked[0][1], ranked[1:]))
        return out

    def predict(self, mail: InboundMail) -> Prediction:
        """(type, confidence, the next two types with their probabilities)."""
        return self.predict_many([mail])[0]

    def needs_review(self, confidence: float) -> bool:
        """Below the threshold a person decides: auto-handled mail must be 95 % right."""
        return confidence < self.threshold
