"""Messages classified per second, against a baseline measured in the same run.

Baseline: the rules alone (direction by domain plus the keyword scan), the cheapest pass that
still reads every message. The full classifier adds the reference and attachment signals and
the naive Bayes model. Run: PYTHONPATH=. python bench/classify.py [messages]
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable

from csflows.paths import config_dir
from csflows.triage.classifier import InboundMail, classifier, direction_of, load_examples


def _rate(fn: Callable[[InboundMail], object], mails: list[InboundMail]) -> float:
    start = time.perf_counter()
    for mail in mails:
        fn(mail)
    return len(mails) / (time.perf_counter() - start)


def main(count: int = 20_000) -> None:
    model = classifier()
    examples = [e.mail for e in load_examples(config_dir() / model.policy.training_set)]
    mails = [examples[i % len(examples)] for i in range(count)]

    def rules_only(mail: InboundMail) -> object:
        direction = direction_of(mail, model.policy)
        return model._keyword_matches(mail, model._candidates[direction])

    _rate(model.classify, mails[:500])  # warm up
    baseline = _rate(rules_only, mails)
    full = _rate(model.classify, mails)
    print(f"{count} messages")
    print(f"rules only (baseline): {baseline:,.0f} messages/s")
    print(f"rules + text model:    {full:,.0f} messages/s  ({full / baseline:.2f}x the baseline)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20_000)
