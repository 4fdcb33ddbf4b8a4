"""Per-type precision and recall of the triage classifier, by 5-fold cross-validation on the
labelled set (config/ticket_examples.jsonl). Run: PYTHONPATH=. python bench/classifier_quality.py"""

from __future__ import annotations

import sys

from csflows.paths import config_dir
from csflows.triage.classifier import load_examples
from csflows.triage.evaluation import cross_validate
from csflows.triage.ticket_types import ticket_types


def main(folds: int = 5) -> None:
    policy = ticket_types()
    examples = load_examples(config_dir() / policy.training_set)
    result = cross_validate(policy, examples, folds)
    print(f"{len(examples)} labelled messages, {folds}-fold cross-validation")
    print(f"{'type':<52} {'n':>3} {'precision':>9} {'recall':>7}")
    for s in result.scores:
        print(f"{s.type:<52} {s.support:>3} {s.precision:>9.2f} {s.recall:>7.2f}")
    print(
        f"accuracy {result.accuracy:.3f}  macro-F1 {result.macro_f1:.3f}  "
        f"below threshold {policy.confidence_threshold}: {result.below_threshold}/{result.total}"
    )
    print(f"accuracy of the messages decided without people: {result.accuracy_above_threshold:.3f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
