"""Triage models kept in the store (`triage_models`), where every worker reads them: skops bytes
(never pickle: a model file must not be able to run code), the training-set hash, the
evaluation, and the promotions still standing, the last of them active (typing tickets).

A candidate is promoted only when it is not worse than the current model (leave-one-writer-out
accuracy and auto-handled precision); `rollback()` goes back one promotion. Both act for the
whole team: each worker asks the store which version is active (one small query per batch of
tickets) and loads a version's bytes once per process. The shipped model, built per machine from
config/training/, stays a file in `cache_dir()`.
"""

from __future__ import annotations

import fcntl
import json
import os
import tempfile
import zipfile
from collections.abc import Callable
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import sklearn
from skops import io as skops_io
from sqlalchemy import Select, select, text
from sqlalchemy.orm import Session, defer

from csflows import store
from csflows.errors import ModelNotFound, ModelRefused, UntrustedModel
from csflows.paths import cache_dir
from csflows.store.tables import TriageModelRow
from csflows.triage.classifier.model import Prediction, TriageModel
from csflows.triage.mail.inbound import InboundMail
from csflows.triage.policy import ticket_types

# Every type a triage model file may hold; anything else is refused at load.
TRUSTED_TYPES = [
    "numpy.dtype",
    "numpy.float64",
    "numpy.int64",
    "numpy.ndarray",
    "scipy.sparse._csr.csr_matrix",
    "sklearn.calibration.CalibratedClassifierCV",
    "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._SigmoidCalibration",
    "sklearn.compose._column_transformer.ColumnTransformer",
    "sklearn.compose._column_transformer._RemainderColsList",
    "sklearn.feature_extraction.text.TfidfVectorizer",
    "sklearn.pipeline.Pipeline",
    "sklearn.svm._classes.LinearSVC",
]
COMPARED = ("lowo_accuracy", "auto_precision")  # a candidate may be worse on neither


def _row_record(row: TriageModelRow) -> dict[str, Any]:
    """A stored model's record, as the shipped model's JSON file holds it."""
    return {
        "version": row.version,
        "created_at": row.created_at.isoformat(timespec="seconds"),
        "training_sha256": row.training_sha256,
        "threshold": row.threshold,
        "scikit_learn": row.scikit_learn,
        "labels": row.labels,
        "evaluation": row.evaluation,
    }


def _records() -> Select[TriageModelRow]:
    """Every stored model's columns but its bytes."""
    return select(TriageModelRow).options(defer(TriageModelRow.skops))


def read_index() -> dict[str, Any]:
    """{"current": version or None, "history": promoted versions, oldest first, "models": records}
    as the store holds them for the whole team."""
    store.ready()
    with store.session() as s:
        rows = list(s.scalars(_records()))
    promoted = sorted((r for r in rows if r.promoted_seq is not None), key=_seq)
    return {
        "current": next((r.version for r in rows if r.active), None),
        "history": [r.version for r in promoted],
        "models": {r.version: _row_record(r) for r in rows},
    }


def _seq(row: TriageModelRow) -> int:
    return row.promoted_seq or 0


def _record(
    model: TriageModel, version: str, training_sha256: str, evaluation: dict[str, Any]
) -> dict[str, Any]:
    return {
        "version": version,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "training_sha256": training_sha256,
        "threshold": model.threshold,
        "scikit_learn": sklearn.__version__,  # a skops file loads reliably on the same version
        "labels": model.labels,
        "evaluation": evaluation,
    }


def _dump(model: TriageModel, path: Path) -> None:
    """Written to a temporary file and renamed, so a reader never loads half a model."""
    with tempfile.NamedTemporaryFile(dir=path.parent, delete=False, suffix=".tmp") as f:
        f.write(_dumps(model))
    os.replace(f.name, path)


def _dumps(model: TriageModel) -> bytes:
    return skops_io.dumps(model.pipeline, compression=zipfile.ZIP_DEFLATED, compresslevel=1)


def save(model: TriageModel, training_sha256: str, evaluation: dict[str, Any]) -> str:
    """Store a candidate (not current yet) for the whole team and return its version."""
    version = f"{datetime.now(UTC):%Y%m%dT%H%M%S%f}-{training_sha256[:8]}"
    store.ready()
    with store.session() as s:
        s.add(
            TriageModelRow(
                version=version,
                training_sha256=training_sha256,
                threshold=model.threshold,
                scikit_learn=sklearn.__version__,  # a skops file loads reliably on the same one
                labels=list(model.labels),
                evaluation=evaluation,
                skops=_dumps(model),
            )
        )
    return version


def _trusted_pipeline(data: bytes, name: str) -> Any:
    """The pipeline in skops bytes, refused when they hold any type outside `TRUSTED_TYPES`."""
    untrusted = sorted(set(skops_io.get_untrusted_types(data=data)) - set(TRUSTED_TYPES))
    if untrusted:
        raise UntrustedModel(f"{name}: untrusted types {', '.join(untrusted)}")
    return skops_io.loads(data, trusted=TRUSTED_TYPES)


def load_pipeline(path: Path) -> Any:
    """The pipeline in a skops file, refused when it holds any type outside `TRUSTED_TYPES`."""
    return _trusted_pipeline(path.read_bytes(), path.name)


@lru_cache(maxsize=4)
def load(version: str, database_url: str = "") -> TriageModel:
    """The stored model `version` (read once per process and store)."""
    store.ready()
    with store.session() as s:
        row = s.get(TriageModelRow, version)
        if row is None:
            raise ModelNotFound(
                f"no triage model {version!r} in the store: csflows classifier show lists them"
            )
        record, data = _row_record(row), row.skops
    pipeline = _trusted_pipeline(data, version)
    return TriageModel(pipeline, ticket_types().domains(), float(record["threshold"]), record)


def built_once(key: str, build: Callable[[], tuple[TriageModel, dict[str, Any]]]) -> TriageModel:
    """The model `build()` makes (with its evaluation) from what `key` hashes (the training mail
    and the world it is read in, never the team's domains, and the precision target), built once
    per machine and kept in `cache_dir()/triage/`: processes asking at the same time wait for the
    first one's build instead of each training. It reads new mail in the team's world
    (config/ticket_types.yaml)."""
    folder = cache_dir() / "triage"
    folder.mkdir(parents=True, exist_ok=True)
    version = f"shipped-{key[:16]}-sklearn{sklearn.__version__}"
    path, record_path = folder / f"{version}.skops", folder / f"{version}.json"
    with (folder / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (path.exists() and record_path.exists()):
            model, evaluation = build()
            _dump(model, path)
            record = _record(model, version, key, evaluation)
            record_path.write_text(json.dumps(record, indent=1, sort_keys=True), encoding="utf-8")
            _keep_newest(folder, KEEP_BUILT)
    record = json.loads(record_path.read_text(encoding="utf-8"))
    pipeline = load_pipeline(path)
    return TriageModel(pipeline, ticket_types().domains(), float(record["threshold"]), record)


KEEP_BUILT = 3  # shipped models kept per machine (checkouts of other training mail share it)


def _keep_newest(folder: Path, count: int) -> None:
    """Delete all but the `count` newest built models (about 25 MB each)."""
    built = sorted(folder.glob("shipped-*.skops"), key=lambda p: p.stat().st_mtime, reverse=True)
    for path in built[count:]:
        path.unlink(missing_ok=True)
        path.with_suffix(".json").unlink(missing_ok=True)


def current_version() -> str | None:
    """The version typing tickets for the whole team: one small query, so a worker picks up a
    promotion or rollback on its next ticket."""
    store.ready()
    with store.session() as s:
        version: str | None = s.scalar(
            select(TriageModelRow.version).where(TriageModelRow.active.is_(True))
        )
    return version


def current_model() -> TriageModel:
    version = current_version()
    if version is None:
        raise ModelNotFound("no triage model promoted yet in the store")
    return load(version, store.database_url())


def predict(mail: InboundMail) -> Prediction:
    """(type, confidence, the next two types with probabilities) by the current model."""
    return current_model().predict(mail)


def worse_than(candidate: dict[str, Any], incumbent: dict[str, Any]) -> list[str]:
    """Why a model with evaluation `candidate` must not replace one with `incumbent`'s, if it
    must not. The team's answers given since the incumbent was trained come first: fewer of them
    right is worse, more of them right wins over the writers' mail (the team's word over the
    writers' convention); as many, and the writers' figures (`COMPARED`) may not drop."""
    recent = int(candidate.get("recent_answers", 0))
    if recent:
        right, before = int(candidate["recent_right"]), int(candidate["incumbent_recent_right"])
        if right < before:
            return [f"the team's {recent} recent answers: {right} right < {before}"]
        if right > before:
            return []
    return [
        f"{key} {candidate[key]} < {incumbent[key]}"
        for key in COMPARED
        if float(candidate[key]) < float(incumbent[key])
    ]


def _serialized(s: Session) -> None:
    """Promotions and rollbacks one at a time across machines (a PostgreSQL lock held to the end
    of the transaction; SQLite's writers queue anyway)."""
    if s.get_bind().dialect.name == "postgresql":
        s.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PROMOTION_LOCK})


_PROMOTION_LOCK = int.from_bytes(b"csfM", "big")  # this lock's advisory key


def _promoted(s: Session) -> list[TriageModelRow]:
    """The promotions still standing, oldest first (the last one active)."""
    query = _records().where(TriageModelRow.promoted_seq.is_not(None))
    return list(s.scalars(query.order_by(TriageModelRow.promoted_seq)))


def _activate(s: Session, row: TriageModelRow | None) -> None:
    for other in s.scalars(_records().where(TriageModelRow.active.is_(True))):
        other.active = False
    s.flush()  # one active model at any moment
    if row is not None:
        row.active = True


def promote(
    candidate: str, shipped: dict[str, Any] | None = None, measured_against: str | None = None
) -> str:
    """Make `candidate` current for the whole team unless it is worse than the current model,
    or, when none has been promoted, than the `shipped` model's record (the one typing tickets
    until now); returns it. `measured_against`: the version current when the candidate was
    evaluated (its recent answers were counted against it); if another became current since (a
    rollback, another retraining), the comparison is stale and the candidate is refused."""
    store.ready()
    with store.session() as s:
        _serialized(s)
        row = s.get(TriageModelRow, candidate, options=[defer(TriageModelRow.skops)])
        if row is None:
            raise ModelNotFound(
                f"no triage model {candidate!r} in the store: csflows classifier show lists them"
            )
        history = _promoted(s)
        current = history[-1] if history else None
        if current is not None and current.version == candidate:
            return candidate
        incumbent = _row_record(current) if current is not None else shipped
        standing = incumbent["version"] if incumbent is not None else None
        if measured_against is not None and standing != measured_against:
            raise ModelRefused(
                f"{candidate} was measured against {measured_against}, but {standing} became "
                "current meanwhile (a rollback or another promotion): retrain to compare again"
            )
        if incumbent is not None:
            worse = worse_than(row.evaluation, incumbent["evaluation"])
            if worse:
                raise ModelRefused(
                    f"{candidate} is worse than {incumbent['version']}: {'; '.join(worse)}"
                )
        row.promoted_seq = _seq(current) + 1 if current is not None else 1
        _activate(s, row)
    return candidate


def rollback() -> str:
    """Go back to the model promoted before the current one, for the whole team; returns it."""
    store.ready()
    with store.session() as s:
        _serialized(s)
        history = _promoted(s)
        if len(history) < 2:
            raise ModelRefused("no earlier triage model to roll back to")
        history[-1].promoted_seq = None
        _activate(s, history[-2])
        return history[-2].version


def adopt_local_models(folder: Path) -> list[str]:
    """Models an earlier csflows kept on this machine (`folder`: CSFLOWS_HOME/models, a JSON
    index and skops files) copied into the store, the versions it lacked; when the store has
    no promoted model yet, this machine's promotions become the team's. Returns those copied."""
    try:
        index = json.loads((folder / "index.json").read_text(encoding="utf-8"))
    except FileNotFoundError:
        return []
    store.ready()
    with store.session() as s:
        _serialized(s)
        known = set(s.scalars(select(TriageModelRow.version)))
        history = [] if _promoted(s) else list(index.get("history", []))
        copied = []
        for version, record in index.get("models", {}).items():
            if version in known or not (folder / f"{version}.skops").exists():
                continue
            s.add(_row_from(record, (folder / f"{version}.skops").read_bytes()))
            copied.append(version)
        s.flush()
        for seq, version in enumerate(history, start=1):
            row = s.get(TriageModelRow, version)
            if row is not None:
                row.promoted_seq = seq
        if history and (last := s.get(TriageModelRow, history[-1])) is not None:
            _activate(s, last)
    return copied


def _row_from(record: dict[str, Any], data: bytes) -> TriageModelRow:
    return TriageModelRow(
        version=record["version"],
        created_at=datetime.fromisoformat(record["created_at"]),
        training_sha256=record.get("training_sha256", ""),
        threshold=float(record["threshold"]),
        scikit_learn=record.get("scikit_learn", ""),
        labels=list(record.get("labels", [])),
        evaluation=record["evaluation"],
        skops=data,
    )


FIGURE_NAMES = {  # COMPARED as the artifact names them
    "lowo_accuracy": "right on unseen writers",  # each writer left out in turn
    "auto_precision": "auto-handled right",  # of the mail at or above its threshold
}


def comparison_markdown(candidate: str, incumbent: dict[str, Any] | None, refused: str = "") -> str:
    """The candidate's figures beside those of the model it would replace, for the retraining's
    artifact."""
    rows = [
        "| model | " + " | ".join(FIGURE_NAMES[k] for k in COMPARED) + " |",
        "|---|" + "---|" * len(COMPARED),
    ]
    models = [("candidate", read_index()["models"][candidate])]
    if incumbent is not None:
        models.append(("typing tickets until now", incumbent))
    for label, record in models:
        figures = record["evaluation"]
        cells = " | ".join(f"{float(figures[k]):.1%}" for k in COMPARED)
        rows.append(f"| {label}: {record['version']} | {cells} |")
    figures = models[0][1]["evaluation"]
    if figures.get("recent_answers"):
        rows.append(
            f"\nThe team's {figures['recent_answers']} review answers since the model typing"
            f" tickets was trained: the candidate gets {figures['recent_right']} right (each"
            f" without having seen it), the model typing tickets {figures['incumbent_recent_right']}."
            " The team's answers count first; with as many right, the figures above may not drop."
        )
    verdict = f"**Kept the current model:** {refused}" if refused else f"**Promoted** {candidate}."
    return "# Triage model\n\n" + "\n".join(rows) + f"\n\n{verdict}\n"
