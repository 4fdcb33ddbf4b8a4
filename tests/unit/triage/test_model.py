"""The learned triage model: skops round trip and refusal, promote/rollback, quoted history cut,
prediction shape and threshold choice. Trained on a small subset to stay fast."""

from __future__ import annotations

import os
import re
from collections import defaultdict
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer
from skops import io as skops_io

from csflows import store
from csflows.errors import ModelRefused, UntrustedModel
from csflows.store.tables import TriageModelRow
from csflows.triage.classifier import registry, training
from csflows.triage.classifier.features import mail_parts, split_reply
from csflows.triage.classifier.model import TriageModel, rows
from csflows.triage.mail.inbound import InboundMail
from csflows.triage.policy import Route, ticket_types

PER_TYPE = 5


@pytest.fixture(scope="module")
def small() -> tuple[TriageModel, list[training.Example]]:
    """A model on the first few of each type from one writer, and some of its other mail."""
    examples = training.load_writer(
        training.writers_dir() / "coral.jsonl", training.training_world()
    )
    by_type: dict[str, list[training.Example]] = defaultdict(list)
    for e in examples:
        by_type[e.type].append(e)
    train = [e for group in by_type.values() for e in group[:PER_TYPE]]
    rest = [e for group in by_type.values() for e in group[PER_TYPE : PER_TYPE + 1]]
    return training.fit(train, ticket_types()), rest


@pytest.fixture
def store_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CSFLOWS_HOME", str(tmp_path))
    registry.load.cache_clear()
    return tmp_path


def _evaluation(accuracy: float, precision: float) -> dict[str, float]:
    return {"lowo_accuracy": accuracy, "auto_precision": precision}


def test_the_model_round_trips_through_skops(store_home: Path, small: tuple) -> None:
    model, rest = small
    model.threshold = 0.6
    version = registry.save(model, "ab" * 32, _evaluation(0.8, 0.96))
    assert not (store_home / "models").exists()  # in the store, for every worker
    with store.session() as s:
        assert s.get(TriageModelRow, version).skops.startswith(b"PK")  # a skops (zip) file
    registry.promote(version)
    loaded = registry.current_model()
    mails = [e.mail for e in rest]
    assert np.allclose(loaded.probabilities(mails), model.probabilities(mails))
    # the fast arithmetic gives the pipeline's own probabilities
    pipeline = loaded.pipeline.predict_proba(rows(mails, [loaded.world] * len(mails)))
    assert np.allclose(loaded.probabilities(mails), pipeline)
    one_at_a_time = np.vstack([loaded.probabilities([m]) for m in mails])  # triage's way
    assert np.allclose(one_at_a_time, pipeline)
    assert loaded.predict_many(mails) == model.predict_many(mails)
    assert loaded.threshold == 0.6 and loaded.record["training_sha256"] == "ab" * 32
    assert registry.current_model() is loaded  # loaded once per process
    assert registry.predict(mails[0]) == model.predict(mails[0])


def test_a_file_with_an_untrusted_type_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "evil.skops"
    skops_io.dump(Pipeline([("run", FunctionTransformer(os.system))]), path)
    with pytest.raises(UntrustedModel, match="untrusted types"):
        registry.load_pipeline(path)


def _candidate(version: str, accuracy: float, precision: float) -> str:
    """A stored record only: promote and rollback read records, not model bytes."""
    store.ready()
    with store.session() as s:
        evaluation = _evaluation(accuracy, precision)
        s.add(TriageModelRow(version=version, threshold=0.5, evaluation=evaluation, skops=b""))
    return version


def test_promote_refuses_a_worse_candidate_and_rollback_restores(store_home: Path) -> None:
    first = _candidate("v1", 0.80, 0.96)
    better = _candidate("v2", 0.82, 0.96)
    worse = _candidate("v3", 0.85, 0.94)  # more accurate, but less precise when it decides alone
    with pytest.raises(ModelRefused):
        registry.rollback()  # nothing promoted before
    assert registry.promote(first) == first
    assert registry.promote(better) == better
    with pytest.raises(ModelRefused, match="auto_precision"):
        registry.promote(worse)
    assert registry.current_version() == better
    assert registry.rollback() == first
    assert registry.current_version() == first
    index = registry.read_index()
    assert index["history"] == [first] and set(index["models"]) == {first, better, worse}


def test_the_new_text_is_cut_from_quoted_history_and_signatures() -> None:
    body = (
        "Please cancel line 3, the rest can ship.\n\nSent from my iPhone\n\n"
        "On Mon, Feb 10, 2025 at 4:02 PM, Mary Callie <mary@advantus.com>\nwrote:\n"
        "> Here is our quote Q-20418 for 500 lanyards.\n"
    )
    new, quoted = split_reply(body)
    assert new == "Please cancel line 3, the rest can ship."
    assert "Q-20418" in quoted and "iPhone" not in new
    outlook = "ok go ahead\n\nFrom: Ana <ana@advantus.com>\nSent: Friday\nTo: x\nSubject: RFQ\n\nprice list"
    assert split_reply(outlook) == (
        "ok go ahead",
        "From: Ana <ana@advantus.com>\nSent: Friday\nTo: x\nSubject: RFQ\n\nprice list",
    )
    for header in [
        "-----Original Message-----",
        "---------- Forwarded message ---------",
        "El lun, 3 mar 2025 a las 10:00, Ana escribió:",
    ]:
        assert split_reply(f"gracias\n{header}\nold text")[0] == "gracias"
    assert split_reply("no history here\n> but a quoted line")[0] == "no history here"


def test_a_reply_is_typed_by_what_is_new(small: tuple) -> None:
    """The quoted history never reaches the new-text features; the new text alone decides
    the words, the subject and the signals."""
    model, _ = small
    policy = ticket_types()
    fresh = InboundMail(
        "buyer@school.example", ["cs@advantus.com"], "lanyards", "Where is PO 5521?"
    )
    quoted = "\n\nOn Mon, Ana <ana@advantus.com> wrote:\n> Request for quote: 500 lanyards\n"
    reply = InboundMail(fresh.sender, fresh.to, fresh.subject, fresh.body + quoted)
    a, b = mail_parts(fresh, policy), mail_parts(reply, policy)
    assert (a.new, a.subject, a.signals) == (b.new, b.subject, b.signals)
    assert "Request for quote" in b.quoted and "quote" not in b.new.lower()


def test_a_prediction_has_a_type_a_confidence_and_two_alternatives(small: tuple) -> None:
    model, rest = small
    kind, confidence, alternatives = model.predict(rest[0].mail)
    assert kind in ticket_types().names() and 0 < confidence <= 1
    assert len(alternatives) == 2 and all(t in model.labels for t, _ in alternatives)
    assert confidence >= alternatives[0][1] >= alternatives[1][1]
    assert kind not in {t for t, _ in alternatives}


def test_the_threshold_is_the_lowest_from_which_every_writer_is_95_percent_right() -> None:
    n = training.MIN_HANDLED * 5
    right = training.Fold("a", ["x"] * n, ["x"] * n, [0.9] * n)
    # b is wrong on a quarter of its mail, all of it at confidence 0.5 or below
    wrong = n // 4
    b = training.Fold(
        "b", ["x"] * n, ["y"] * wrong + ["x"] * (n - wrong), [0.5] * wrong + [0.8] * (n - wrong)
    )
    assert training.choose_threshold([right, b], 0.95) == 0.52
    assert training.choose_threshold([right], 0.95) == training.THRESHOLDS[0]
    assert b.at(0.52) == (1.0, 0.75)


def test_the_training_mail_names_only_ticket_types_and_covers_every_one() -> None:
    names = set(ticket_types().names())
    by_writer = training.load_writers()
    for writer, examples in by_writer.items():
        assert {e.type for e in examples} <= names, writer
        assert len({e.id for e in examples}) == len(examples), writer
    assert {e.type for examples in by_writer.values() for e in examples} == names


def test_the_training_hash_ignores_order_and_sees_a_label_or_world_change() -> None:
    world = training.training_world()
    examples = training.load_writer(training.writers_dir() / "bodhi.jsonl", world)[:20]
    digest = training.training_sha256(examples)
    assert training.training_sha256(list(reversed(examples))) == digest
    first = examples[0]
    relabelled = [training.Example(first.mail, "Task", "bodhi", world), *examples[1:]]
    assert first.type != "Task" and training.training_sha256(relabelled) != digest
    elsewhere = [replace(e, world=world.model_copy(update=THEIRS)) for e in examples]
    assert training.training_sha256(elsewhere) != digest  # the same mail read otherwise


def test_a_promoted_model_types_tickets_with_its_own_threshold(
    store_home: Path, small: tuple
) -> None:
    from csflows.triage.classifier.current import classify_and_decide
    from csflows.triage.policy import ticket_types

    model, rest = small
    mail = rest[0].mail
    before = classify_and_decide(mail, ticket_types())  # none promoted: the shipped model
    assert before.signals[0].startswith("model:shipped-")
    model.threshold = 1.01  # nothing sure enough: every ticket goes to a person
    registry.promote(registry.save(model, "cd" * 32, _evaluation(0.9, 0.97)))
    after = classify_and_decide(mail, ticket_types())
    assert (after.type, after.confidence) == model.predict(mail)[:2]
    assert after.needs_triage and after.signals[0].startswith("model:")
    assert len(after.alternatives) == 2


def test_a_promotion_and_a_rollback_reach_every_worker_on_its_next_ticket(
    store_home: Path, small: tuple, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two machines (each its own CSFLOWS_HOME) share one store: the model one promotes types
    the other's next ticket, without a restart, and a rollback on either acts on both."""
    from csflows.triage.classifier.current import classify_and_decide

    model, rest = small
    mail, policy = rest[0].mail, ticket_types()
    shared = f"sqlite:///{store_home / 'shared.db'}"
    monkeypatch.setenv("CSFLOWS_DATABASE_URL", shared)

    def on(machine: str) -> str:
        monkeypatch.setenv("CSFLOWS_HOME", str(store_home / machine))
        return classify_and_decide(mail, policy).signals[0]

    first = registry.save(model, "01" * 32, _evaluation(0.80, 0.96))
    second = registry.save(model, "02" * 32, _evaluation(0.81, 0.96))
    on("a")
    registry.promote(first)
    assert on("b") == f"model:{first}"
    on("a")
    registry.promote(second)
    assert on("b") == f"model:{second}" and on("a") == f"model:{second}"
    registry.rollback()  # from b
    assert on("a") == f"model:{first}" and on("b") == f"model:{first}"
    assert registry.read_index()["history"] == [first]


def test_models_an_earlier_csflows_kept_on_one_machine_are_adopted_by_the_store(
    store_home: Path, small: tuple
) -> None:
    import json

    model, rest = small
    folder = store_home / "models"
    folder.mkdir()
    records = {}
    for version in ("old-1", "old-2"):
        skops_io.dump(model.pipeline, folder / f"{version}.skops")
        records[version] = {
            "version": version,
            "created_at": "2026-01-05T10:00:00+00:00",
            "threshold": 0.7,
            "evaluation": _evaluation(0.8, 0.96),
        }
    index = {"current": "old-2", "history": ["old-1", "old-2"], "models": records}
    (folder / "index.json").write_text(json.dumps(index))
    assert registry.adopt_local_models(folder) == ["old-1", "old-2"]
    assert registry.adopt_local_models(folder) == []  # again: nothing more
    assert registry.read_index()["history"] == ["old-1", "old-2"]
    loaded = registry.current_model()
    assert loaded.record["version"] == "old-2" and loaded.threshold == 0.7
    assert loaded.predict_many([rest[0].mail]) == model.predict_many([rest[0].mail])


def test_a_review_answer_is_in_the_next_training_set(store_ready: Path) -> None:
    from email.message import EmailMessage

    from csflows.triage import review
    from csflows.triage.mail import intake
    from csflows.triage.policy import ticket_types
    from csflows.triage.routing import triage_tickets

    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "kim@shop.example", "cs@advantus.com", "?"
    message["Message-ID"] = "<unclear-2@shop.example>"
    message.set_content("see you then")
    ticket_id = intake.store_message("cli", bytes(message))
    triage_tickets([ticket_id])
    answer = review.TicketReview(
        type="Question", assignee="Customer Service", reviewer="Jordan Diaz"
    )
    review.apply_review(ticket_id, answer, ticket_types())
    [row] = review.reviewed_examples()
    example = training.example_from_row(row, "team", ticket_types())
    assert (example.type, example.writer, example.mail.body.strip()) == (
        "Question",
        "team",
        "see you then",
    )


@pytest.mark.slow  # trains whole models: scripts/test runs it, scripts/check leaves it
def test_the_shipped_model_is_built_once_per_machine_and_then_loaded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, small: tuple
) -> None:
    monkeypatch.setenv("CSFLOWS_CACHE_DIR", str(tmp_path))
    model, rest = small
    model.threshold = 0.61
    builds: list[int] = []

    def build() -> tuple[TriageModel, dict]:
        builds.append(1)
        return model, _evaluation(0.88, 0.97)

    first = registry.built_once("ef" * 32, build)
    again = registry.built_once("ef" * 32, build)
    assert builds == [1]  # the second process loads what the first built
    assert again.threshold == 0.61 and again.record["evaluation"]["lowo_accuracy"] == 0.88
    assert again.record["version"].startswith("shipped-efefefef")
    mails = [e.mail for e in rest]
    assert np.allclose(again.probabilities(mails), first.probabilities(mails))
    registry.built_once("01" * 32, build)  # other training mail: another model
    assert builds == [1, 1]


def test_the_teams_recent_answers_decide_first_then_the_writers() -> None:
    before = _evaluation(0.90, 0.97)

    def candidate(accuracy: float, right: int, incumbent_right: int) -> dict:
        recent = {
            "recent_answers": 10,
            "recent_right": right,
            "incumbent_recent_right": incumbent_right,
        }
        return {**_evaluation(accuracy, 0.97), **recent}

    # fewer of the team's answers right: refused, however well it does on the writers
    assert registry.worse_than(candidate(0.95, 3, 4), before) == [
        "the team's 10 recent answers: 3 right < 4"
    ]
    # more of them right: the team's word wins over the writers' convention
    assert registry.worse_than(candidate(0.85, 6, 4), before) == []
    # as many: the writers' figures may not drop
    assert registry.worse_than(candidate(0.85, 4, 4), before) == ["lowo_accuracy 0.85 < 0.9"]
    assert registry.worse_than(_evaluation(0.90, 0.97), before) == []  # no answers yet


def test_a_person_types_a_ticket_below_the_models_threshold_or_the_teams_floor() -> None:
    from csflows.triage.assignment import Classification, decide
    from csflows.triage.policy import Direction

    policy = ticket_types()  # floor confidence_threshold 0.5
    rfq = "QUOTE - Request for Quote"

    def typed(confidence: float, threshold: float, floor: float = 0.5) -> tuple[bool, str]:
        raised = policy.model_copy(update={"confidence_threshold": floor})
        result = Classification(rfq, confidence, Direction.CUSTOMER)
        decision = decide(result, raised, threshold=threshold)
        return decision.needs_triage, decision.assignee

    assert typed(0.70, threshold=0.64) == (False, "Mary Callie")
    assert typed(0.64, threshold=0.64) == (False, "Mary Callie")  # at the bar: handled
    assert typed(0.60, threshold=0.64) == (True, "Customer Service")  # the model's own bar
    assert typed(0.70, threshold=0.64, floor=0.8) == (True, "Customer Service")  # the team's


def test_a_person_always_types_a_customers_no_bid_however_sure_the_model_is() -> None:
    """Whether we produce what a customer asks for is in the catalog, not in the mail."""
    from csflows.triage.assignment import Classification, decide
    from csflows.triage.policy import Direction

    policy = ticket_types()
    no_bid = "Quote - No bid"

    def decided(direction: Direction) -> tuple[bool, bool]:
        decision = decide(Classification(no_bid, 0.99, direction), policy, threshold=0.64)
        return decision.needs_triage, decision.route is Route.NONE

    assert policy.get(no_bid).person_decides == [Direction.CUSTOMER]
    assert decided(Direction.CUSTOMER) == (True, True)
    assert decided(Direction.SENT_BY_US) == (False, True)  # our own no-bid letter: handled


def _first_of_each_type(examples: list[training.Example], count: int) -> list[training.Example]:
    seen: dict[str, int] = defaultdict(int)
    kept = []
    for e in examples:
        seen[e.type] += 1
        if seen[e.type] <= count:
            kept.append(e)
    return kept


THEIRS = {"own_domains": ["corvane-supply.example"], "supplier_domains": ["kestrelinks.example"]}


@pytest.mark.slow  # trains whole models: scripts/test runs it, scripts/check leaves it
def test_a_teams_domains_leave_the_leave_one_writer_out_figures_unchanged() -> None:
    """The writers' mail is read in its own world, so another team's domains train the same
    models and type the writers' mail the same."""
    world = training.training_world()
    by_writer = {
        w: _first_of_each_type(
            training.load_writer(training.writers_dir() / f"{w}.jsonl", world), 2
        )
        for w in ("coral", "gus", "emeka")
    }
    ours = ticket_types()
    theirs = ours.model_copy(update=THEIRS)
    folds = training.leave_one_writer_out(by_writer, ours)
    assert training.leave_one_writer_out(by_writer, theirs) == folds
    assert len(folds) == 3 and all(len(f.truth) == 60 for f in folds)


@pytest.mark.slow  # trains whole models: scripts/test runs it, scripts/check leaves it
def test_the_shipped_model_is_the_same_for_any_teams_domains_not_another_precision_target(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json
    import shutil

    from csflows.paths import PROJECT_ROOT

    config = tmp_path / "config"
    shutil.copytree(PROJECT_ROOT / "config", config, ignore=shutil.ignore_patterns("*.jsonl"))
    for writer in ("coral", "gus"):
        seen: dict[str, int] = defaultdict(int)
        kept = []
        for line in (PROJECT_ROOT / "config" / "training" / f"{writer}.jsonl").open():
            kind = json.loads(line)["type"]
            seen[kind] += 1
            if seen[kind] <= 3:
                kept.append(line)
        (config / "training" / f"{writer}.jsonl").write_text("".join(kept))
    monkeypatch.setenv("CSFLOWS_CONFIG_DIR", str(config))
    monkeypatch.setenv("CSFLOWS_CACHE_DIR", str(tmp_path / "cache"))
    first = training.shipped_model().record["version"]
    types = config / "ticket_types.yaml"
    shipped = types.read_text()
    assert re.search(r"(?m)^own_domains: \[advantus\.com, ", shipped)  # the sample's domains
    types.write_text(
        re.sub(r"(?m)^own_domains: .*$", "own_domains: [corvane-supply.example]", shipped)
    )
    again = training.shipped_model()
    assert again.record["version"] == first  # the team's domains: the same model
    assert again.world.own_domains == ["corvane-supply.example"]  # reading the team's mail
    world = config / "training" / "world.yaml"
    world.write_text(world.read_text().replace("inkworks.test", "inkworks.test, acme.example"))
    second = training.shipped_model().record["version"]
    assert second != first  # another training world
    types.write_text(
        types.read_text().replace("auto_handled_precision: 0.95", "auto_handled_precision: 0.9")
    )
    assert training.shipped_model().record["version"] not in {first, second}  # another threshold


def test_a_candidate_measured_against_a_model_no_longer_current_is_refused(
    store_home: Path,
) -> None:
    """A retraining that began before a rollback must not undo it: its recent answers were
    counted against the model the team has since left."""
    first = _candidate("v1", 0.80, 0.96)
    second = _candidate("v2", 0.81, 0.96)
    registry.promote(first)
    registry.promote(second)
    retrained = _candidate("v3", 0.82, 0.96)  # measured while v2 was current
    assert registry.rollback() == first
    with pytest.raises(ModelRefused, match=f"measured against {second}.*{first} became current"):
        registry.promote(retrained, measured_against=second)
    assert registry.current_version() == first
    assert registry.promote(retrained, measured_against=first) == retrained
