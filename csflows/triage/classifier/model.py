"""The learned triage model: one scikit-learn pipeline from a message's parts to calibrated type
probabilities (`csflows.triage.classifier.registry.predict(mail)` asks the promoted one).

Text features are TF-IDF word n-grams of the subject and of the new text, character n-grams of
both (misspellings, Spanish, part numbers), the quoted history at a low weight, and the structural
signal tokens of `csflows.triage.classifier.features`. The classifier is a linear SVM with sigmoid-calibrated
probabilities (`CalibratedClassifierCV`), so the confidence threshold means something.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import chain
from typing import Any

import numpy as np
from scipy import sparse
from scipy.special import expit
from sklearn.calibration import CalibratedClassifierCV
from sklearn.compose import ColumnTransformer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import normalize
from sklearn.svm import LinearSVC

from csflows.triage.classifier.features import (
    DIRECTED,
    NEW,
    QUOTED,
    SIGNALS,
    SUBJECT,
    TEXT,
    mail_parts,
)
from csflows.triage.mail.inbound import InboundMail
from csflows.triage.policy import World

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
ENSEMBLE = True

Prediction = tuple[str, float, list[tuple[str, float]]]  # type, confidence, the next two types


def rows(mails: Sequence[InboundMail], worlds: Sequence[World]) -> np.ndarray[Any, Any]:
    """The pipeline's input: one row of text columns per message (see `SUBJECT` ... `TEXT`),
    each message's direction read in its world (one per message)."""
    out = np.empty((len(mails), DIRECTED + 1), dtype=object)
    for i, (mail, world) in enumerate(zip(mails, worlds, strict=True)):
        out[i] = mail_parts(mail, world).row()
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
    svm = LinearSVC(C=c, class_weight="balanced", random_state=0)  # the same mail, the same model
    model = CalibratedClassifierCV(svm, method="sigmoid", cv=CALIBRATION_FOLDS, ensemble=ENSEMBLE)
    return Pipeline([("features", columns), ("classify", model)])


@dataclass(frozen=True)
class Column:
    """One fitted TF-IDF vectorizer as plain arithmetic over a batch: the same numbers as its
    `transform` without scikit-learn's per-call input checks (about 2 ms a call). A character
    n-gram column looks up each word's n-grams once per process (`_word_grams`): mail repeats
    its words, and cutting words into n-grams in Python was most of the classifying time."""

    analyzer: Callable[[str], list[str]]
    vocabulary: dict[str, int]
    idf: np.ndarray[Any, Any] | None
    binary: bool
    sublinear: bool
    l2: bool
    weight: float
    column: int
    offset: int  # where this column's features start in the model's feature vector
    words: Callable[[str], list[str]] | None = None  # char_wb: the preprocessed text's words
    _word_grams: dict[str, list[int]] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def of(cls, vectorizer: TfidfVectorizer, column: int, weight: float, offset: int) -> Column:
        words = None
        if vectorizer.analyzer == "char_wb":
            preprocess = vectorizer.build_preprocessor()
            words = lambda text: preprocess(vectorizer.decode(text)).split()  # noqa: E731
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
            words,
        )

    def indices(self, text: str) -> list[int]:
        """The vocabulary index of each of the text's terms, a repeated term repeated."""
        vocabulary = self.vocabulary
        if self.words is None:
            return [vocabulary[t] for t in self.analyzer(text) if t in vocabulary]
        grams = self._word_grams
        found: list[int] = []
        for word in self.words(text):
            cached = grams.get(word)
            found += self._grams_in_vocabulary(word) if cached is None else cached
        return found

    def _grams_in_vocabulary(self, word: str) -> list[int]:
        vocabulary = self.vocabulary
        indices = [vocabulary[g] for g in self.analyzer(word) if g in vocabulary]
        if len(self._word_grams) < WORD_CACHE_SIZE:
            self._word_grams[word] = indices
        return indices

    def features(self, texts: Sequence[str]) -> sparse.csr_matrix:
        """The batch's TF-IDF rows for this column, weighted, as the vectorizer computes them:
        term counts summed by scipy, then tf, idf and the row norms as array arithmetic."""
        found = [self.indices(text) for text in texts]
        lengths = np.fromiter(map(len, found), dtype=np.int64, count=len(found))
        columns = np.fromiter(chain.from_iterable(found), dtype=np.int64, count=int(lengths.sum()))
        rows = np.repeat(np.arange(len(texts)), lengths)
        shape = (len(texts), len(self.vocabulary))
        matrix = sparse.csr_matrix((np.ones(len(columns)), (rows, columns)), shape=shape)
        matrix.sum_duplicates()
        matrix.data = self._tf_idf(matrix.indices, matrix.data)
        if self.l2:
            normalize(matrix, copy=False)
        matrix.data *= self.weight
        return matrix

    def vector(self, text: str) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
        """(feature indices, values) of one text: `features` for a batch of one, without
        building a sparse matrix (a message at a time is how triage asks)."""
        counts = Counter(self.indices(text))
        index = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
        values = self._tf_idf(index, np.fromiter(counts.values(), dtype=np.float64))
        if self.l2 and len(values):
            values /= np.sqrt(values @ values)
        return index + self.offset, values * self.weight

    def _tf_idf(
        self, index: np.ndarray[Any, Any], counts: np.ndarray[Any, Any]
    ) -> np.ndarray[Any, Any]:
        """Term counts to TF-IDF values before the row norm, as the vectorizer's options say."""
        values = np.ones_like(counts) if self.binary else counts.astype(np.float64)
        if self.sublinear:
            values = np.log(values) + 1.0
        if self.idf is not None:
            values = values * self.idf[index]
        return values


WORD_CACHE_SIZE = 200_000  # words whose n-grams a character column remembers (a few MB)


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
        if len(x) == 1:  # one message: gather its terms' rows of the coefficients
            parts = [c.vector(x[0, c.column]) for c in self.columns]
            index = np.concatenate([p[0] for p in parts])
            values = np.concatenate([p[1] for p in parts])
            scores = (values @ self.coef[index] + self.intercept)[np.newaxis, :]
        else:
            columns = [c.features(list(x[:, c.column])) for c in self.columns]
            scores = np.asarray(sparse.hstack(columns, format="csr") @ self.coef) + self.intercept
        proba = expit(-(self.a * scores + self.b)).reshape(len(x), self.models, -1)
        totals = proba.sum(axis=2, keepdims=True)
        uniform = np.full_like(proba, 1 / proba.shape[2])
        proba = np.divide(proba, totals, out=uniform, where=totals != 0)
        result: np.ndarray[Any, Any] = proba.mean(axis=1)
        return result


@dataclass
class TriageModel:
    """A fitted pipeline with the world it reads new mail's directions in (the team's domains)
    and its auto-handling threshold."""

    pipeline: Pipeline
    world: World
    threshold: float = 1.0  # nothing is auto-handled until an evaluation sets it
    record: dict[str, Any] = field(default_factory=dict)
    _scorer: Scorer | None = field(default=None, repr=False, compare=False)

    @classmethod
    def fit(
        cls,
        mails: Sequence[InboundMail],
        types: Sequence[str],
        worlds: Sequence[World],
        world: World,
        weights: Sequence[float] | None = None,
        **options: Any,
    ) -> TriageModel:
        """Fit on labelled mail, each message's direction read in its own world (`worlds`, one
        per message); the model reads new mail in `world`. `weights` (one per message, default
        1) count some more."""
        pipeline = build_pipeline(**options)
        fit_options = {} if weights is None else {"classify__sample_weight": np.asarray(weights)}
        pipeline.fit(rows(mails, worlds), np.asarray(types), **fit_options)
        return cls(pipeline, world)

    @property
    def labels(self) -> list[str]:
        return [str(c) for c in self.pipeline.classes_]

    def probabilities(
        self, mails: Sequence[InboundMail], worlds: Sequence[World] | None = None
    ) -> np.ndarray[Any, Any]:
        """One row of type probabilities per message, columns in `labels` order; each message
        read in its world in `worlds` (one per message), by default the model's."""
        if self._scorer is None:
            self._scorer = Scorer.of(self.pipeline)
        return self._scorer.probabilities(rows(mails, worlds or [self.world] * len(mails)))

    def predict_many(
        self, mails: Sequence[InboundMail], worlds: Sequence[World] | None = None
    ) -> list[Prediction]:
        """Each message's prediction (see `predict`), read in its world (see `probabilities`)."""
        labels = self.labels
        out = []
        for p in self.probabilities(mails, worlds):
            order = np.argsort(-p)[:3]
            ranked = [(labels[i], round(float(p[i]), 4)) for i in order]
            out.append((ranked[0][0], ranked[0][1], ranked[1:]))
        return out

    def predict(self, mail: InboundMail) -> Prediction:
        """(type, confidence, the next two types with their probabilities)."""
        return self.predict_many([mail])[0]
