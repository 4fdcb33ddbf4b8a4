"""retrain-classifier: trains on the writers' mail plus the team's review answers, promotes the
candidate only when it is not worse than the model typing tickets (the shipped one at first), and
leaves an artifact comparing the two. A small copy of the training mail keeps it fast."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from csflows import store
from csflows.paths import PROJECT_ROOT
from csflows.store.tables import TicketReviewRow, TicketRow
from csflows.triage.classifier import registry
from csflows.triage.mail.inbound import mail_from_json
from flows.triage import retrain_classifier
from tests.support.artifacts import latest_artifact
from tests.support.training import small_training_config

# Each test trains models (seconds to minutes on 2 cores): scripts/test runs them, scripts/check
# leaves them.
pytestmark = pytest.mark.slow

PER_TYPE = 6
WRITERS = ("amara", "coral", "emeka")


@pytest.fixture
def small_training(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, store_ready: Path
) -> list[dict[str, Any]]:
    """Config whose training mail is the first few messages of each type by three writers."""
    config, rows = small_training_config(tmp_path, WRITERS, PER_TYPE)
    monkeypatch.setenv("CSFLOWS_CONFIG_DIR", str(config))
    monkeypatch.setenv("CSFLOWS_CACHE_DIR", str(tmp_path / "cache"))
    registry.load.cache_clear()
    return rows


def _review_answers(examples: list[dict[str, Any]]) -> None:
    """The team's answers, as the review queue stores them."""
    with store.session() as s:
        for n, example in enumerate(examples):
            ticket = TicketRow(
                message_id=f"<review-{n}@test>",
                inbox="cs",
                sender=example["from"],
                subject=example["subject"],
                status="open",
                raw=b"",
            )
            s.add(ticket)
            s.flush()
            s.add(
                TicketReviewRow(
                    ticket_id=ticket.id,
                    type=example["type"],
                    assignee="Customer Service",
                    action="route",
                    example=example,
                )
            )


def test_a_retraining_not_worse_than_the_shipped_model_is_promoted(
    small_training: list[dict[str, Any]],
) -> None:
    result = retrain_classifier()
    assert result.promoted and registry.current_version() == result.candidate
    assert result.previous is not None and result.previous.startswith("shipped-")
    artifact = latest_artifact("triage-model")
    assert result.candidate in artifact and result.previous in artifact
    assert f"**Promoted** {result.candidate}." in artifact


def test_a_retraining_that_makes_the_model_worse_is_refused(
    small_training: list[dict[str, Any]],
) -> None:
    first = retrain_classifier()
    assert first.promoted
    # a bad edit to one writer's file: every label moved to the next message's
    config = Path(os.environ["CSFLOWS_CONFIG_DIR"]) / "training" / f"{WRITERS[0]}.jsonl"
    rows = [json.loads(line) for line in config.read_text().splitlines()]
    labels = [r["type"] for r in rows]
    shifted = [{**r, "type": t} for r, t in zip(rows, labels[1:] + labels[:1], strict=True)]
    config.write_text("".join(json.dumps(r) + "\n" for r in shifted))
    second = retrain_classifier()
    assert not second.promoted and "lowo_accuracy" in second.refused
    assert registry.current_version() == first.candidate  # the better model keeps typing
    assert "Kept the current model" in latest_artifact("triage-model")


def test_the_teams_answers_win_over_the_writers_convention(
    small_training: list[dict[str, Any]],
) -> None:
    # The writers type a customer's PO "Sales Order - Sales Order Received!"; this team reads
    # seed 004 literally and answers "Purchase - Purchase Order Document" in the review queue.
    literal = "Purchase - Purchase Order Document"
    pos = [
        json.loads(line)
        for line in (PROJECT_ROOT / "config" / "training" / "gus.jsonl").open()
        if json.loads(line)["type"] == "Sales Order - Sales Order Received!"
    ]
    answered, unseen = pos[:7], pos[7:]
    _review_answers([{**row, "type": literal} for row in answered])
    result = retrain_classifier()
    assert result.promoted, result.refused
    record = registry.read_index()["models"][result.candidate]["evaluation"]
    assert record["recent_answers"] == 7
    assert record["recent_right"] > record["incumbent_recent_right"] == 0
    typed = registry.current_model().predict_many([mail_from_json(r) for r in unseen])
    assert sum(kind == literal for kind, _, _ in typed) >= 2, (
        typed
    )  # most other POs (2 of 3) follow the team
    assert "review answers since the model typing tickets was trained" in latest_artifact(
        "triage-model"
    )
