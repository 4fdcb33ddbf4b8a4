"""Messages classified per second by the learned triage model, against reading the messages
alone, in the same run.

Baseline: `csflows.triage.classifier.features.mail_parts` without the model (direction by domain, quoted
history and signatures cut, reference and attachment signals), the cheapest pass that still
reads every message; the model runs the same pass before its own arithmetic. The model is
trained here on every writer in config/training/ (or the promoted one with --stored) and timed
one message at a time (as triage calls it) and in batches (as a backlog or a retrain reads mail).
Run: PYTHONPATH=. python bench/classify.py [messages] [--stored]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable, Sequence

from csflows.triage.classifier import registry, training
from csflows.triage.classifier.features import mail_parts
from csflows.triage.classifier.model import TriageModel
from csflows.triage.mail.inbound import InboundMail
from csflows.triage.policy import ticket_types

BATCH = 1000


def _rate(fn: Callable[[Sequence[InboundMail]], object], batches: list[list[InboundMail]]) -> float:
    start = time.perf_counter()
    for batch in batches:
        fn(batch)
    return sum(len(b) for b in batches) / (time.perf_counter() - start)


def _batches(mails: list[InboundMail], size: int) -> list[list[InboundMail]]:
    return [mails[i : i + size] for i in range(0, len(mails), size)]


def main(count: int, stored: bool) -> None:
    policy = ticket_types()
    by_writer = training.load_writers()
    examples = [e for mail in by_writer.values() for e in mail]
    model: TriageModel = registry.current_model() if stored else training.fit(examples, policy)
    mails = [examples[i % len(examples)].mail for i in range(count)]

    def read_only(batch: Sequence[InboundMail]) -> object:
        return [mail_parts(m, policy) for m in batch]

    def one_at_a_time(batch: Sequence[InboundMail]) -> object:
        return [model.predict(m) for m in batch]

    model.predict_many(mails[:200])  # warm up
    baseline = _rate(read_only, _batches(mails, BATCH))
    single = _rate(one_at_a_time, _batches(mails[: max(count // 10, 200)], BATCH))
    batched = _rate(model.predict_many, _batches(mails, BATCH))
    print(f"{count} messages ({'promoted' if stored else 'freshly trained'} model)")
    print(f"mail_parts only (baseline):  {baseline:,.0f} messages/s")
    print(f"model, one message a call:   {single:,.0f} messages/s  ({single / baseline:.3f}x)")
    print(f"model, {BATCH} a call:         {batched:,.0f} messages/s  ({batched / baseline:.3f}x)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("count", nargs="?", type=int, default=20_000)
    parser.add_argument("--stored", action="store_true", help="time the promoted model")
    args = parser.parse_args()
    main(args.count, args.stored)
