"""Classify an inbound message into a seed-004 ticket type: rules first, then a text model.

Rules: the direction (by sender and recipient domains against ours and our suppliers') narrows the
types to those that direction can be; a configured keyword in the subject or an attachment's name
decides outright when exactly one remaining type has it. What the rules leave open goes to a
multinomial naive Bayes model trained at load from the labelled examples in config, whose words
include the signals the rules saw (attachments, PO / quote / invoice / job / order numbers).
Pure Python on sparse counts: tens of thousands of messages a second.
"""

from __future__ import annotations

import math
import os
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from csflows import config
from csflows.errors import PolicyError
from csflows.models import Ticket
from csflows.triage.ticket_types import Direction, TicketTypes, ticket_types

KEYWORD_CONFIDENCE = 0.95
SMOOTHING = 0.5  # Lidstone alpha
TEMPERATURE = 4.0  # naive Bayes is over-confident: posteriors are tempered before the threshold

_WORD = re.compile(r"[a-z0-9]+(?:['.][a-z0-9]+)*")
_NAME_SPLIT = re.compile(r"[^a-z0-9]+")
# Reference numbers the business writes in subjects and bodies (PO 77812, Q-20418, INV-300412,
# job J-5012, SO-88120, a UPS tracking number).
_REFERENCES: dict[str, re.Pattern[str]] = {
    "po": re.compile(r"\b(?:p\.?o\.?|purchase order)\s*(?:#|no\.?|number)?\s*[a-z]*-?\d{3,}", re.I),
    "quote": re.compile(r"\b(?:q-?\d{4,}|quot(?:e|ation)\s*#?\s*[a-z]{0,3}-?\d{3,})", re.I),
    "invoice": re.compile(r"\binv(?:oice)?[-\s#]*\d{4,}", re.I),
    "job": re.compile(r"\b(?:job(?:\s*ticket)?\s*#?\s*j?-?\d{3,}|j-\d{3,})", re.I),
    "sales_order": re.compile(r"\bso-[a-z]?\d{4,}", re.I),
    "tracking": re.compile(r"\b(?:1z[0-9a-z]{16}|tracking)\b", re.I),
}


@dataclass(frozen=True)
class InboundMail:
    """What the classifier reads of a message."""

    sender: str
    to: Sequence[str] = ()
    subject: str = ""
    body: str = ""
    attachments: Sequence[str] = ()  # file names

    @classmethod
    def from_ticket(cls, ticket: Ticket) -> InboundMail:
        return cls(
            sender=ticket.sender,
            to=[*ticket.to, *ticket.cc],
            subject=ticket.subject,
            body=ticket.text,
            attachments=[a.filename for a in ticket.attachments],
        )


@dataclass(frozen=True)
class Classification:
    type: str
    confidence: float
    direction: Direction
    signals: list[str] = field(default_factory=list)
    alternatives: list[tuple[str, float]] = field(default_factory=list)  # the next best guesses


@dataclass(frozen=True)
class LabelledMail:
    mail: InboundMail
    type: str
    id: str = ""


def domain_of(address: str) -> str:
    return address.rpartition("@")[2].strip().strip(">").lower()


def _within(domain: str, domains: Iterable[str]) -> bool:
    return any(domain == d or domain.endswith("." + d) for d in domains)


def direction_of(mail: InboundMail, policy: TicketTypes) -> Direction:
    """Ours to ours is internal, ours to anyone else sent by us; from outside, supplier or customer."""
    sender = domain_of(mail.sender)
    if _within(sender, policy.own_domains):
        outside = [a for a in mail.to if not _within(domain_of(a), policy.own_domains)]
        return Direction.SENT_BY_US if outside else Direction.INTERNAL
    if _within(sender, policy.supplier_domains):
        return Direction.SUPPLIER
    return Direction.CUSTOMER


def _normal(text: str) -> str:
    return " ".join(_NAME_SPLIT.split(text.lower()))


def reference_signals(mail: InboundMail) -> list[str]:
    """`ref:po`, `ref:quote`, ... for each kind of reference number the message carries."""
    text = f"{mail.subject}\n{mail.body}\n{' '.join(mail.attachments)}"
    return [f"ref:{kind}" for kind, pattern in _REFERENCES.items() if pattern.search(text)]


def attachment_signals(mail: InboundMail) -> list[str]:
    if not mail.attachments:
        return ["att:none"]
    kinds = {name.rpartition(".")[2].lower() for name in mail.attachments if "." in name}
    return ["att:any", *sorted(f"att:{k}" for k in kinds)]


def features(mail: InboundMail, direction: Direction) -> list[str]:
    """The model's words: body and subject words, subject words marked, names, rule signals."""
    subject = mail.subject.lower()
    words = _WORD.findall(mail.body.lower())
    words += _WORD.findall(subject)
    words += ["s:" + w for w in _WORD.findall(subject)]
    for name in mail.attachments:
        words += ["a:" + w for w in _NAME_SPLIT.split(name.lower()) if w]
    signals = [f"dir:{direction.value}", *attachment_signals(mail), *reference_signals(mail)]
    return words + signals * 2  # the rules' signals weigh as two words each


class Classifier:
    """Rules, then a naive Bayes model trained on `examples` when it is built."""

    def __init__(self, policy: TicketTypes, examples: Sequence[LabelledMail]) -> None:
        self.policy = policy
        self.labels = policy.names()
        index = {name: i for i, name in enumerate(self.labels)}
        unknown = sorted({e.type for e in examples} - set(index))
        if unknown:
            raise PolicyError(f"training examples name unknown ticket types: {', '.join(unknown)}")
        self._candidates = {
            d: [i for i, t in enumerate(policy.types) if d in t.directions] for d in Direction
        }
        self._keywords = [(i, kw) for i, t in enumerate(policy.types) for kw in t.keywords]
        self._train(examples, index)

    def _train(self, examples: Sequence[LabelledMail], index: dict[str, int]) -> None:
        k = len(self.labels)
        counts: list[Counter[str]] = [Counter() for _ in range(k)]
        docs = [0] * k
        for example in examples:
            i = index[example.type]
            docs[i] += 1
            counts[i].update(features(example.mail, direction_of(example.mail, self.policy)))
        vocabulary = set().union(*counts)
        v = max(len(vocabulary), 1)
        n = max(sum(docs), 1)
        totals = [sum(c.values()) for c in counts]
        # log P(type) and log P(unseen word | type); seen words add a per-type delta (sparse).
        self._prior = [math.log((docs[i] + 1) / (n + k)) for i in range(k)]
        self._unseen = [math.log(SMOOTHING / (totals[i] + SMOOTHING * v)) for i in range(k)]
        self._delta: dict[str, list[tuple[int, float]]] = {}
        for i, c in enumerate(counts):
            for word, count in c.items():
                delta = math.log((count + SMOOTHING) / SMOOTHING)
                self._delta.setdefault(word, []).append((i, delta))

    def classify(self, mail: InboundMail) -> Classification:
        direction = direction_of(mail, self.policy)
        candidates = self._candidates[direction] or list(range(len(self.labels)))
        signals = [f"dir:{direction.value}"]
        matched = _most_specific(self._keyword_matches(mail, candidates))
        if len({i for i, _ in matched}) == 1:
            i, keyword = matched[0]
            return Classification(
                self.labels[i], KEYWORD_CONFIDENCE, direction, [*signals, f"keyword:{keyword}"]
            )
        if matched:
            candidates = sorted({i for i, _ in matched})
            signals += [f"keyword:{kw}" for _, kw in matched]
        words = features(mail, direction)
        known = Counter(w for w in words if w in self._delta)
        sums = [0.0] * len(self.labels)
        for word, count in known.items():
            for i, delta in self._delta[word]:
                sums[i] += count * delta
        n = known.total()
        scores = {i: self._prior[i] + n * self._unseen[i] + sums[i] for i in candidates}
        best = max(scores, key=scores.__getitem__)
        top = scores[best]
        total = sum(math.exp((s - top) / TEMPERATURE) for s in scores.values())
        signals += [w for w in words if ":" in w and not w.startswith(("s:", "a:", "dir:"))]
        signals = list(dict.fromkeys(signals))
        runners_up = sorted((i for i in scores if i != best), key=scores.__getitem__, reverse=True)
        alternatives = [
            (self.labels[i], round(math.exp((scores[i] - top) / TEMPERATURE) / total, 4))
            for i in runners_up[:2]
        ]
        return Classification(
            self.labels[best], round(1 / total, 4), direction, signals, alternatives
        )

    def _keyword_matches(self, mail: InboundMail, candidates: list[int]) -> list[tuple[int, str]]:
        allowed = set(candidates)
        text = f" {_normal(mail.subject)} {_normal(' '.join(mail.attachments))} "
        return [(i, kw) for i, kw in self._keywords if i in allowed and f" {_normal(kw)} " in text]


def _most_specific(matched: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """A keyword that contains every other match wins: "re your new account request" (a reply to
    our account-request email) over "new account request"."""
    if len(matched) < 2:
        return matched
    longest = max(matched, key=lambda m: len(m[1]))
    if all(f" {_normal(kw)} " in f" {_normal(longest[1])} " for _, kw in matched):
        return [longest]
    return matched


def load_examples(path: Path) -> list[LabelledMail]:
    """The labelled messages (JSON Lines: id, type, from, to, subject, body, attachments)."""
    return config.read_jsonl(
        path, lambda row, _n: LabelledMail(mail_from_json(row), str(row["type"]), str(row["id"]))
    )


def mail_from_json(row: dict[str, object]) -> InboundMail:
    """The classify interface's JSON keys: from, to and cc (lists), subject, body, attachments
    (names); also the training rows' shape."""
    if not isinstance(row.get("from"), str) or "@" not in str(row["from"]):
        raise ValueError(f"from: expected a mail address, got {row.get('from')!r}")
    to, cc = row.get("to") or [], row.get("cc") or []
    attachments = row.get("attachments") or []
    if not isinstance(to, list) or not isinstance(cc, list) or not isinstance(attachments, list):
        raise ValueError("to, cc and attachments must be lists")
    to = [*to, *cc]
    return InboundMail(
        sender=str(row["from"]),
        to=[str(a) for a in to],
        subject=str(row.get("subject") or ""),
        body=str(row.get("body") or ""),
        attachments=[str(a) for a in attachments],
    )


def classifier(types_path: Path | None = None) -> Classifier:
    """The classifier for the current config (rebuilt when the types or examples change)."""
    types_path = Path(os.path.abspath(types_path or config.config_path("ticket_types")))
    policy = ticket_types(types_path)
    examples = types_path.parent / policy.training_set
    if not examples.exists():
        raise PolicyError(f"{examples}: file not found (training_set)")
    return config.rebuilt_on_change(
        ("classifier", types_path, examples),
        [types_path, examples],
        lambda: Classifier(ticket_types(types_path), load_examples(examples)),
    )
