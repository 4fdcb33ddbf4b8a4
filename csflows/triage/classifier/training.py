"""Training mail by writer, and the honest evaluation: leave one writer out.

Each writer's file (`config/training/<writer>.jsonl`) is a set nobody else wrote; a model is
trained on all writers but one and tested on the one left out, for each writer. The threshold
is the lowest confidence at which the mail at or above it is at least the policy's
`auto_handled_precision` right in every such run (config/ticket_types.yaml), so auto-handled
tickets are trusted for writers the model has never seen.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.metrics import f1_score

from csflows import config
from csflows.paths import config_dir
from csflows.triage.classifier import registry
from csflows.triage.classifier.model import Prediction, TriageModel
from csflows.triage.classifier.worlds import world_file
from csflows.triage.mail.inbound import InboundMail, mail_from_json
from csflows.triage.policy import TicketTypes, World, ticket_types

TEAM = "team"  # the writer name of the team's review answers
TEAM_FOLDS = 5  # the team's recent answers are tested in this many folds
MIN_HANDLED = 20  # a fold's precision is only trusted over at least this many handled messages
THRESHOLDS = [round(t, 2) for t in np.arange(0.20, 1.0, 0.02)]


@dataclass(frozen=True)
class Example:
    """One labelled message, who wrote it, and the world its direction is read in (the
    writers' for training mail, the team's for its review answers)."""

    mail: InboundMail
    type: str
    writer: str
    world: World
    id: str = ""


@dataclass(frozen=True)
class Fold:
    """The predictions on one writer's mail by a model trained on the others."""

    writer: str
    truth: list[str]
    predicted: list[str]
    confidence: list[float]

    def accuracy(self) -> float:
        return float(np.mean([t == p for t, p in zip(self.truth, self.predicted, strict=True)]))

    def at(self, threshold: float) -> tuple[float, float]:
        """(precision, coverage) of the mail at or above `threshold`; precision 1.0 when none."""
        handled = [t == p for t, p, c in self._zip() if c >= threshold]
        coverage = len(handled) / max(len(self.truth), 1)
        return (float(np.mean(handled)) if handled else 1.0), coverage

    def _zip(self) -> list[tuple[str, str, float]]:
        return list(zip(self.truth, self.predicted, self.confidence, strict=True))


def writers_dir() -> Path:
    return config_dir() / "training"


def training_world(folder: Path | None = None) -> World:
    """The domains the writers' mail is written in (`config/training/world.yaml`): their
    company's and its suppliers', whatever domains the team configures."""
    return config.load("world", World, (folder or writers_dir()) / "world.yaml")


def load_writer(path: Path, world: World) -> list[Example]:
    """A writer's labelled mail (JSON Lines: id, type, from, to, cc, subject, body, attachments),
    written in `world`."""
    return config.read_jsonl(path, lambda row, n: example_from_row(row, path.stem, world, str(n)))


def example_from_row(
    row: dict[str, Any], writer: str, world: World, fallback_id: str = ""
) -> Example:
    """One training row (id, type, from, to, cc, subject, body, attachments) as an example whose
    direction is read in `world`."""
    mail, kind, id_ = mail_from_json(row), str(row["type"]), str(row.get("id", fallback_id))
    return Example(mail, kind, writer, world.domains(), id_)


def writer_world(path: Path, shared: World) -> World:
    """The world a writer's mail is written in: `<writer>-world.json` beside it when the writer
    invented their own company (its domains and its suppliers'), else the shared `world.yaml`."""
    own = path.with_name(f"{path.stem}-world.json")
    return world_file(own) if own.exists() else shared


def load_writers(folder: Path | None = None) -> dict[str, list[Example]]:
    """Every writer's mail, by writer (file stem), sorted by name, each in its writer's world."""
    folder = folder or writers_dir()
    shared = training_world(folder)
    return {p.stem: load_writer(p, writer_world(p, shared)) for p in sorted(folder.glob("*.jsonl"))}


def training_sha256(examples: Sequence[Example]) -> str:
    """A hash over the sorted training rows and the domains each is read in: the same mail in
    the same world gives the same hash in any order."""
    digest = hashlib.sha256()
    for line in sorted(_canonical(e) for e in examples):
        digest.update(line.encode("utf-8") + b"\n")
    return digest.hexdigest()


def _canonical(e: Example) -> str:
    m = e.mail
    world = [e.world.own_domains, e.world.supplier_domains]
    row = [e.type, m.sender, list(m.to), m.subject, m.body, list(m.attachments), world]
    return json.dumps(row, ensure_ascii=False, sort_keys=True)


def fit(examples: Sequence[Example], policy: TicketTypes, **options: Any) -> TriageModel:
    """A model on `examples`, each read in its own world, that reads new mail in the team's
    (`policy`'s domains); the team's review answers count `policy.team_answer_weight` times a
    writer's example (config/ticket_types.yaml)."""
    team_weight = policy.team_answer_weight
    return TriageModel.fit(
        [e.mail for e in examples],
        [e.type for e in examples],
        [e.world for e in examples],
        policy.domains(),
        weights=[team_weight if e.writer == TEAM else 1.0 for e in examples],
        **options,
    )


def leave_one_writer_out(
    by_writer: Mapping[str, Sequence[Example]],
    policy: TicketTypes,
    train: Callable[[Sequence[Example]], TriageModel] | None = None,
    team: Sequence[Example] = (),
) -> list[Fold]:
    """For each writer, a model trained on the others (and the `team`'s answers, which are in
    every training set and never a test), tested on that writer's mail."""
    train = train or (lambda examples: fit(examples, policy))
    folds = []
    for writer, test in by_writer.items():
        rest = [e for w, mail in by_writer.items() if w != writer for e in mail]
        model = train([*rest, *team])
        predictions = predict(model, test)
        folds.append(
            Fold(
                writer,
                [e.type for e in test],
                [p[0] for p in predictions],
                [p[1] for p in predictions],
            )
        )
    return folds


def recent_answers_right(
    writers: Sequence[Example],
    older: Sequence[Example],
    recent: Sequence[Example],
    policy: TicketTypes,
    folds: int = TEAM_FOLDS,
) -> int:
    """How many of the team's `recent` answers a model trained the candidate's way gets right
    without having seen them: k-fold over `recent`, each fold trained on the writers, the `older`
    answers and the other recent folds."""
    right = 0
    for k in range(min(folds, len(recent))):
        seen = [e for i, e in enumerate(recent) if i % folds != k]
        right += typed_right(fit([*writers, *older, *seen], policy), recent[k::folds])
    return right


def typed_right(model: TriageModel, examples: Sequence[Example]) -> int:
    """How many of `examples` `model` types as labelled."""
    predictions = predict(model, examples)
    return sum(p[0] == e.type for p, e in zip(predictions, examples, strict=True))


def predict(model: TriageModel, examples: Sequence[Example]) -> list[Prediction]:
    """`model`'s predictions for `examples`, each read in its own world."""
    return model.predict_many([e.mail for e in examples], [e.world for e in examples])


def choose_threshold(folds: Sequence[Fold], target: float) -> float:
    """The lowest threshold from which on auto-handled mail is at least `target` right in every
    fold (so every higher threshold on the grid also meets it); 1.0 when none does."""
    meets = [all(_meets(f, t, target) for f in folds) for t in THRESHOLDS]
    for i, threshold in enumerate(THRESHOLDS):
        if all(meets[i:]):
            return threshold
    return 1.0


def _meets(fold: Fold, threshold: float, target: float) -> bool:
    """Precision at `threshold` reaches `target`, or too few messages are handled to tell."""
    precision, coverage = fold.at(threshold)
    return precision >= target or coverage * len(fold.truth) < MIN_HANDLED


@dataclass(frozen=True)
class Evaluation:
    """Leave-one-writer-out figures of one way of training, at its chosen threshold."""

    threshold: float
    accuracy: float  # over all writers' mail together
    auto_precision: float  # of the mail at or above the threshold, all writers together
    coverage: float
    per_writer: dict[str, dict[str, float]]

    def as_dict(self) -> dict[str, Any]:
        return {
            "threshold": self.threshold,
            "lowo_accuracy": round(self.accuracy, 4),
            "auto_precision": round(self.auto_precision, 4),
            "coverage": round(self.coverage, 4),
            "per_writer": self.per_writer,
        }


def evaluate(folds: Sequence[Fold], target: float) -> Evaluation:
    """Pooled accuracy, the threshold for `target` precision, and per-writer accuracy, precision
    and coverage at it."""
    threshold = choose_threshold(folds, target)
    truth = [t for f in folds for t in f.truth]
    predicted = [p for f in folds for p in f.predicted]
    pooled = Fold("all", truth, predicted, [c for f in folds for c in f.confidence])
    precision, coverage = pooled.at(threshold)
    per_writer = {}
    for f in folds:
        p, c = f.at(threshold)
        per_writer[f.writer] = {
            "n": len(f.truth),
            "accuracy": round(f.accuracy(), 4),
            "macro_f1": round(macro_f1(f.truth, f.predicted), 4),
            "auto_precision": round(p, 4),
            "coverage": round(c, 4),
        }
    return Evaluation(threshold, pooled.accuracy(), precision, coverage, per_writer)


def macro_f1(truth: Sequence[str], predicted: Sequence[str]) -> float:
    return float(f1_score(truth, predicted, average="macro", zero_division=0))


@dataclass(frozen=True)
class TeamAnswers:
    """The team's review answers: all of them, and those given since `incumbent` (the model
    typing tickets) was trained."""

    all: Sequence[Example] = ()
    recent: Sequence[Example] = ()
    incumbent: TriageModel | None = None


def train_evaluated(
    by_writer: Mapping[str, Sequence[Example]],
    policy: TicketTypes,
    folds: Sequence[Fold] | None = None,
    answers: TeamAnswers = TeamAnswers(),
) -> tuple[TriageModel, dict[str, Any]]:
    """A model trained on every writer and the team's answers, with its threshold and
    evaluation: leave-one-writer-out on the writers' mail and, when there are recent answers,
    how many of them it and the incumbent get right."""
    team, recent, incumbent = answers.all, answers.recent, answers.incumbent
    folds = folds or leave_one_writer_out(by_writer, policy, team=team)
    evaluation = evaluate(folds, policy.auto_handled_precision)
    writers = [e for mail in by_writer.values() for e in mail]
    model = fit([*writers, *team], policy)
    model.threshold = evaluation.threshold
    record = {**evaluation.as_dict(), "writers": {w: len(m) for w, m in by_writer.items()}}
    record["team_answers"] = len(team)
    if recent and incumbent is not None:
        recent_ids = {e.id for e in recent}
        older = [e for e in team if e.id not in recent_ids]
        record["recent_answers"] = len(recent)
        record["recent_right"] = recent_answers_right(writers, older, recent, policy)
        record["incumbent_recent_right"] = typed_right(incumbent, recent)
    return model, record


def train_and_store(
    by_writer: Mapping[str, Sequence[Example]],
    policy: TicketTypes,
    folds: Sequence[Fold] | None = None,
    answers: TeamAnswers = TeamAnswers(),
) -> str:
    """Train and evaluate (`train_evaluated`); saved as a candidate (see `registry.promote`).
    Returns its version."""
    model, record = train_evaluated(by_writer, policy, folds, answers)
    examples = [e for mail in by_writer.values() for e in mail]
    return registry.save(model, training_sha256([*examples, *answers.all]), record)


def shipped_model() -> TriageModel:
    """The model trained on the repository's training mail (every writer in config/training/),
    which types tickets until retrain-classifier promotes one: built once per machine (the
    leave-one-writer-out evaluation that sets its threshold takes under a minute), loaded once
    per process. The writers' mail is read in its own world (world.yaml, or a writer's own
    `<writer>-world.json`), so one model serves any team's domains; ticket_types.yaml only sets
    the world it reads new mail in."""
    folder = writers_dir()
    files = [
        *sorted(folder.glob("*.jsonl")),
        *sorted(folder.glob("*-world.json")),
        folder / "world.yaml",
        config_dir() / "ticket_types.yaml",
    ]
    return config.rebuilt_on_change(("shipped-model", folder), files, _shipped_model)


def _shipped_model() -> TriageModel:
    policy = ticket_types()
    by_writer = load_writers()
    examples = [e for mail in by_writer.values() for e in mail]
    # The mail and its world, not the team's domains; another precision target, another threshold.
    built_from = f"{training_sha256(examples)}\n{policy.auto_handled_precision!r}"
    key = hashlib.sha256(built_from.encode()).hexdigest()
    return registry.built_once(key, lambda: train_evaluated(by_writer, policy))
