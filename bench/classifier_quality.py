"""Leave-one-writer-out quality of the triage model: for each writer in config/training/, train
on the others and test on it. Prints per-writer accuracy, macro-F1, precision and coverage at the
auto-handling threshold, the threshold curve, and pooled per-type precision and recall.

The threshold is the lowest confidence at which the auto-handled mail (confidence >= threshold)
is at least `auto_handled_precision` (config/ticket_types.yaml) right in every run; nothing else
is tuned on a left-out writer.
Run: PYTHONPATH=. python bench/classifier_quality.py [--store] [--team-world FILE]
(--store also trains on every writer, saves the model with this evaluation and promotes it unless
it is worse than the current; --team-world configures a team's own and supplier domains, a YAML
or JSON file, and rewrites the held-out mail's domains into that world before typing it).

A held-out writer with a world file of its own (bench/holdout/<writer>-world.json: a writer who
invented their own company) is always typed with that world's domains configured as the team's.
"""

from __future__ import annotations

import argparse
import platform
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sklearn.metrics import precision_recall_fscore_support

from csflows import config
from csflows.triage.assignment import Classification, decide
from csflows.triage.classifier import registry, training
from csflows.triage.classifier.model import TriageModel
from csflows.triage.classifier.worlds import moved, world_file
from csflows.triage.mail.inbound import direction_of, mail_from_json
from csflows.triage.policy import TicketTypes, World, ticket_types


def main(
    store: bool = False, team_world: Path | None = None, threshold: float | None = None
) -> None:
    started = time.perf_counter()
    policy = ticket_types()
    by_writer = training.load_writers()
    team = world_file(team_world) if team_world else None
    if threshold is not None:  # the held-out writers only, at a threshold measured before
        _held_out(by_writer, threshold, team)
        return
    folds = training.leave_one_writer_out(by_writer, policy)
    result = training.evaluate(folds, policy.auto_handled_precision)
    print(
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {platform.machine()}, "
        f"{_cores()} cores, Python {platform.python_version()}"
    )
    print(f"threshold {result.threshold} (target {policy.auto_handled_precision} in every fold)\n")
    print("| left-out writer | n | accuracy | macro-F1 | auto-handled precision | coverage |")
    print("|---|---|---|---|---|---|")
    for writer, f in result.per_writer.items():
        print(
            f"| {writer} | {f['n']} | {f['accuracy']:.3f} | {f['macro_f1']:.3f} | "
            f"{f['auto_precision']:.3f} | {f['coverage']:.3f} |"
        )
    total = sum(int(f["n"]) for f in result.per_writer.values())
    print(
        f"| all | {total} | {result.accuracy:.3f} | "
        f"{training.macro_f1(*_pooled(folds)):.3f} | {result.auto_precision:.3f} | "
        f"{result.coverage:.3f} |\n"
    )
    _curve(folds)
    _review_queue(
        folds, max(result.threshold, policy.confidence_threshold), policy.preselect_guess_from
    )
    _per_type(folds)
    _held_out(by_writer, result.threshold, team)
    print(f"\n{time.perf_counter() - started:.0f} s")
    if store:
        version = training.train_and_store(by_writer, policy, folds)
        print(f"stored {version}; current: {registry.promote(version)}")


def _cores() -> int:
    import os

    return os.cpu_count() or 1


def _pooled(folds: list[training.Fold]) -> tuple[list[str], list[str]]:
    return [t for f in folds for t in f.truth], [p for f in folds for p in f.predicted]


def _curve(folds: list[training.Fold]) -> None:
    print("threshold curve: precision / coverage of the auto-handled mail, per left-out writer")
    print("threshold  " + "  ".join(f"{f.writer:>13}" for f in folds))
    for t in training.THRESHOLDS:
        cells = [f"{p:.3f} / {c:.2f}" for p, c in (f.at(t) for f in folds)]
        print(f"{t:>9.2f}  " + "  ".join(f"{c:>13}" for c in cells))


def _review_queue(folds: list[training.Fold], bar: float, preselect: float) -> None:
    """The mail below the auto-handling bar (a person types it): how often the best guess the
    review form shows was right, at or above the level it is pre-selected from and below it."""
    truth, predicted = _pooled(folds)
    confidence = [c for f in folds for c in f.confidence]
    queued = [(t == p, c) for t, p, c in zip(truth, predicted, confidence, strict=True) if c < bar]
    print(f"\nreview queue (below {bar}): {len(queued)} of {len(truth)} messages")
    for label, band in (
        (f"best guess pre-selected (>= {preselect})", [ok for ok, c in queued if c >= preselect]),
        (f"not pre-selected (< {preselect})", [ok for ok, c in queued if c < preselect]),
    ):
        print(f"  {label}: {len(band)} messages, guess right {sum(band) / max(len(band), 1):.3f}")


def _per_type(folds: list[training.Fold]) -> None:
    truth, predicted = _pooled(folds)
    labels = sorted(set(truth))
    precision, recall, _, support = precision_recall_fscore_support(
        truth, predicted, labels=labels, zero_division=0
    )
    print(f"\n{'type (all left-out writers pooled)':<52} {'n':>4} {'precision':>9} {'recall':>7}")
    for label, p, r, n in zip(labels, precision, recall, support, strict=True):
        print(f"{label:<52} {n:>4} {p:>9.2f} {r:>7.2f}")


def _held_out(
    by_writer: dict[str, list[training.Example]], threshold: float, team: World | None
) -> None:
    """The model trained on every writer, on mail by writers it never saw and that nothing was
    tuned on (bench/holdout/): a message's type is right when it is the writer's label or one
    the writer marked equally defensible ("also"). Each writer's mail is read in the world a
    team would configure: its own world file's, else `team`'s (the mail's domains rewritten
    into it), else config/ticket_types.yaml's."""
    policy = ticket_types()
    model = training.fit([e for mail in by_writer.values() for e in mail], policy)
    # a ticket is handled alone at or above both the model's threshold and the team's floor
    bar = max(threshold, policy.confidence_threshold)
    print(f"\nheld-out writers (bench/holdout/), model on every writer, threshold {bar}")
    print(
        "| writer | n | domains configured | accuracy | accuracy, defensible labels too "
        "| auto-handled precision | coverage |"
    )
    print("|---|---|---|---|---|---|---|")
    totals = [0, 0, 0, 0, 0]  # n, strict, right, handled, handled right
    for path in sorted(HOLDOUT.glob("*.jsonl")):
        rows, world, where = _in_world(path, policy, team)
        right, strict, alone = _typed(model, rows, world, policy, bar)
        handled = [ok for ok, a in zip(right, alone, strict=True) if a]
        figures = [len(rows), sum(strict), sum(right), len(handled), sum(handled)]
        totals = [t + f for t, f in zip(totals, figures, strict=True)]
        print(f"| {path.stem} | {len(rows)} | {where} | " + _cells(figures))
    print(f"| all | {totals[0]} | | " + _cells(totals))


def _in_world(
    path: Path, policy: World, team: World | None
) -> tuple[list[dict[str, Any]], World, str]:
    """A held-out writer's rows, the world a team would configure for them, and its name."""
    rows = config.read_jsonl(path, lambda row, n: row)
    own = path.with_name(f"{path.stem}-world.json")
    if own.exists():
        world = world_file(own)
        return rows, world, f"its own ({world.own_domains[0]} ...)"
    if team is None:
        return rows, policy.domains(), "ticket_types.yaml's"
    source = training.training_world()  # the held-out brief's domains are the training mail's
    rewritten = [moved(row, source, team) for row in rows]
    return rewritten, team, f"rewritten to the team's ({team.own_domains[0]} ...)"


def _typed(
    model: TriageModel, rows: list[dict[str, Any]], world: World, policy: TicketTypes, bar: float
) -> tuple[list[bool], list[bool], list[bool]]:
    """Per message: right (the label or an "also"), right strictly, and handled without a
    person (as triage decides it: the bar, and the types a person always decides)."""
    mails = [mail_from_json(r) for r in rows]
    predictions = model.predict_many(mails, [world] * len(rows))
    pairs = list(zip(predictions, rows, strict=True))
    right = [p[0] in {r["type"], *r.get("also", [])} for p, r in pairs]
    alone = [
        not decide(Classification(p[0], p[1], direction_of(m, world)), policy, bar).needs_triage
        for p, m in zip(predictions, mails, strict=True)
    ]
    return right, [p[0] == r["type"] for p, r in pairs], alone


def _cells(figures: list[int]) -> str:
    """accuracy, accuracy with defensible labels, auto-handled precision, coverage."""
    n, strict, right, handled, handled_right = figures
    return (
        f"{strict / n:.3f} | {right / n:.3f} | {handled_right / max(handled, 1):.3f} | "
        f"{handled / n:.3f} |"
    )


HOLDOUT = Path(__file__).parent / "holdout"

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--store", action="store_true", help="train on all, save and promote")
    parser.add_argument(
        "--team-world",
        type=Path,
        help="a team's own_domains and supplier_domains (YAML/JSON): configured as the team's, "
        "the held-out mail's domains rewritten into them",
    )
    parser.add_argument(
        "--threshold",
        type=float,
        help="skip leave one writer out: type the held-out writers only, at this threshold "
        "(one measured before, e.g. `csflows classifier show`)",
    )
    arguments = parser.parse_args()
    main(arguments.store, arguments.team_world, arguments.threshold)
