"""Leave-one-writer-out quality of the triage model: for each writer in config/training/, train
on the others and test on it. Prints per-writer accuracy, macro-F1, precision and coverage at the
auto-handling threshold, the threshold curve, and pooled per-type precision and recall.

The threshold is the lowest confidence at which the auto-handled mail (confidence >= threshold)
is at least `auto_handled_precision` (config/ticket_types.yaml) right in every run; nothing else
is tuned on a left-out writer.
Run: PYTHONPATH=. python bench/classifier_quality.py [--store]  (--store also trains on every
writer, saves the model with this evaluation and promotes it unless it is worse than the current)
"""

from __future__ import annotations

import argparse
import platform
import time
from datetime import UTC, datetime
from pathlib import Path

from sklearn.metrics import precision_recall_fscore_support

from csflows import config
from csflows.triage.classifier import registry, training
from csflows.triage.mail.inbound import mail_from_json
from csflows.triage.policy import ticket_types


def main(store: bool = False) -> None:
    started = time.perf_counter()
    policy = ticket_types()
    by_writer = training.load_writers()
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
    _per_type(folds)
    _held_out(by_writer, result.threshold)
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


def _per_type(folds: list[training.Fold]) -> None:
    truth, predicted = _pooled(folds)
    labels = sorted(set(truth))
    precision, recall, _, support = precision_recall_fscore_support(
        truth, predicted, labels=labels, zero_division=0
    )
    print(f"\n{'type (all left-out writers pooled)':<52} {'n':>4} {'precision':>9} {'recall':>7}")
    for label, p, r, n in zip(labels, precision, recall, support, strict=True):
        print(f"{label:<52} {n:>4} {p:>9.2f} {r:>7.2f}")


def _held_out(by_writer: dict[str, list[training.Example]], threshold: float) -> None:
    """The model trained on every writer, on mail by writers it never saw and that nothing was
    tuned on (bench/holdout/): a message's type is right when it is the writer's label or one
    the writer marked equally defensible ("also")."""
    examples = [e for mail in by_writer.values() for e in mail]
    model = training.fit(examples, ticket_types())
    print(f"\nheld-out writers (bench/holdout/), model on every writer, threshold {threshold}")
    print(
        "| writer | n | accuracy | accuracy, defensible labels too | auto-handled precision "
        "| coverage |"
    )
    print("|---|---|---|---|---|---|")
    for path in sorted(HOLDOUT.glob("*.jsonl")):
        rows = config.read_jsonl(path, lambda row, n: row)
        predictions = model.predict_many([mail_from_json(r) for r in rows])
        strict = [p[0] == r["type"] for p, r in zip(predictions, rows, strict=True)]
        right = [
            p[0] in {r["type"], *r.get("also", [])} for p, r in zip(predictions, rows, strict=True)
        ]
        handled = [ok for ok, p in zip(right, predictions, strict=True) if p[1] >= threshold]
        print(
            f"| {path.stem} | {len(rows)} | {sum(strict) / len(rows):.3f} | "
            f"{sum(right) / len(rows):.3f} | {sum(handled) / max(len(handled), 1):.3f} | "
            f"{len(handled) / len(rows):.3f} |"
        )


HOLDOUT = Path(__file__).parent / "holdout"

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--store", action="store_true", help="train on all, save and promote")
    main(parser.parse_args().store)
