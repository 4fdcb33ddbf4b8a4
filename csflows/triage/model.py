"""The learned triage model: one scikit-learn pipeline from a message's parts to calibrated type
probabilities (`csflows.triage.model_store.predict(mail)` asks the promoted one).

Text features are TF-IDF word n-grams of the subject and of the new text, character n-grams of
both (misspellings, Spanish, part numbers), the quoted history at a low weight, and the structural
signal tokens of `csflows.triage.features`. The classifier is a linear SVM with sigmoid-calibrated
probabilities (`CalibratedClassifierCV`), so the confidence threshold means something.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import sparse
from scipy.special import expit
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


@dataclass(frozen=True)
class Column:
    """One fitted TF-IDF vectorizer as plain arithmetic: the same numbers as its `transform`
    without scikit-learn's per-call input checks (about 2 ms a call)."""

    analyzer: Callable[[str], list[str]]
    vocabulary: dict[str, int]
    idf: np.ndarray[Any, Any] | None
    binary: bool
    sublinear: bool
    l2: bool
    weight: float
    column: int
    offset: int  # where this column's features start in the model's feature vector

    @classmethod
    def of(cls, vectorizer: TfidfVectorizer, column: int, weight: float, offset: int) -> Column:
        return cls(
            vectorizer.build_analyzer(),
            vectorizer.vocabulary_,
            vectorizer.idf_ if vectorizer.use_idf else None,
            vectorizer.binary,
            vectorizer.sublinear_tf,
            vectorizer.norm == "l2",
            weight,
            column,
            offset,
        )

    def features(self, text: str) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
        """(feature indices, values) of one message's text."""
        counts = Counter(t for t in self.analyzer(text) if t in self.vocabulary)
        index = np.fromiter((self.vocabulary[t] for t in counts), dtype=np.int64, count=len(counts))
        values = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
        if self.binary:
            values[:] = 1.0
        if self.sublinear:
            values = np.log(values) + 1.0
        if self.idf is not None:
            values = values * self.idf[index]
        if self.l2 and len(values):
            values = values / np.sqrt(values @ values)
        return index + self.offset, values * self.weight


@dataclass(frozen=True)
class Scorer:
    """The fitted pipeline's arithmetic without scikit-learn's per-call checks (about 25 ms a
    call for one message): the columns' TF-IDF, then every calibrated SVM's scores in one
    matrix product, their sigmoids, normalised and averaged as `CalibratedClassifierCV` does."""

    columns: list[Column]
    coef: np.ndarray[Any, Any]  # (features, models x types), contiguous for the product
    intercept: np.ndarray[Any, Any]
    a: np.ndarray[Any, Any]
    b: np.ndarray[Any, Any]
    models: int

    @classmethod
    def of(cls, pipeline: Pipeline) -> Scorer:
        features: ColumnTransformer = pipeline.named_steps["features"]
        weights = features.transformer_weights or {}
        columns, offset = [], 0
        for name, vectorizer, column in features.transformers_:
            if name == "remainder":
                continue
            columns.append(Column.of(vectorizer, column, float(weights.get(name, 1.0)), offset))
            offset += len(vectorizer.vocabulary_)
        calibrated = pipeline.named_steps["classify"].calibrated_classifiers_
        for c in calibrated:
            if not np.array_equal(c.estimator.classes_, pipeline.classes_):
                raise ValueError("a calibrated SVM was fitted on fewer types than the model")
        return cls(
            columns,
            np.ascontiguousarray(np.vstack([c.estimator.coef_ for c in calibrated]).T),
            np.concatenate([c.estimator.intercept_ for c in calibrated]),
            np.concatenate([[k.a_ for k in c.calibrators] for c in calibrated]),
            np.concatenate([[k.b_ for k in c.calibrators] for c in calibrated]),
            len(calibrated),
        )

    def probabilities(self, x: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
        parts = [c.features(row[c.column]) for row in x for c in self.columns]
        sizes = [len(p[0]) for p in parts]
        ends = np.cumsum([0, *sizes])[:: len(self.columns)]
        matrix = sparse.csr_matrix(
            (
                np.concatenate([p[1] for p in parts]),
                np.concatenate([p[0] for p in parts]),
                ends,
            ),
            shape=(len(x), self.coef.shape[0]),
        )
        scores = np.asarray(matrix @ self.coef) + self.intercept
        proba = expit(-(self.a * scores + self.b)).reshape(len(x), self.models, -1)
        totals = proba.sum(axis=2, keepdims=True)
        uniform = np.full_like(proba, 1 / proba.shape[2])
        proba = np.divide(proba, totals, out=uniform, where=totals != 0)
        result: np.ndarray[Any, Any] = proba.mean(axis=1)
        return result


@dataclass
class TriageModel:
    """A fitted pipeline with the policy it reads directions by and its auto-handling threshold."""

    pipeline: Pipeline
    policy: TicketTypes
    threshold: float = 1.0  # nothing is auto-handled until an evaluation sets it
    record: dict[str, Any] = field(default_factory=dict)
    _scorer: Scorer | None = field(default=None, repr=False, compare=False)

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
        if self._scorer is None:
            self._scorer = Scorer.of(self.pipeline)
        return self._scorer.probabilities(rows(mails, self.policy))

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
