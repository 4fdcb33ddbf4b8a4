"""Triage models kept under `csflows.paths.home()/models/`: skops files (never pickle: a model
file must not be able to run code), a record per model (version, created_at, training-set hash,
evaluation) and a JSON index saying which is current and which came before.

A candidate is promoted only when it is not worse than the current model (leave-one-writer-out
accuracy and auto-handled precision); `rollback()` goes back one promotion. A model is loaded
once per process per version.
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

from csflows.errors import ModelNotFound, ModelRefused, UntrustedModel
from csflows.paths import cache_dir, home
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


def models_dir() -> Path:
    path = home() / "models"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _index_path() -> Path:
    return models_dir() / "index.json"


def read_index() -> dict[str, Any]:
    """{"current": version or None, "history": promoted versions, oldest first, "models": records}."""
    try:
        index: dict[str, Any] = json.loads(_index_path().read_text(encoding="utf-8"))
    except FileNotFoundError:
        index = {}
    index.setdefault("current", None)
    index.setdefault("history", [])
    index.setdefault("models", {})
    return index


def write_index(index: dict[str, Any]) -> None:
    """Written whole to a temporary file and renamed, so a reader never sees half an index."""
    folder = models_dir()
    with tempfile.NamedTemporaryFile("w", dir=folder, delete=False, suffix=".tmp") as f:
        json.dump(index, f, indent=1, sort_keys=True)
    os.replace(f.name, _index_path())


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
        skops_io.dump(model.pipeline, f.name, compression=zipfile.ZIP_DEFLATED, compresslevel=1)
    os.replace(f.name, path)


def save(model: TriageModel, training_sha256: str, evaluation: dict[str, Any]) -> str:
    """Store a candidate (not current yet) and return its version."""
    version = f"{datetime.now(UTC):%Y%m%dT%H%M%S%f}-{training_sha256[:8]}"
    _dump(model, models_dir() / f"{version}.skops")
    record = _record(model, version, training_sha256, evaluation)
    index = read_index()
    index["models"][version] = record
    write_index(index)
    return version


def load_pipeline(path: Path) -> Any:
    """The pipeline in a skops file, refused when it holds any type outside `TRUSTED_TYPES`."""
    untrusted = sorted(set(skops_io.get_untrusted_types(file=path)) - set(TRUSTED_TYPES))
    if untrusted:
        raise UntrustedModel(f"{path.name}: untrusted types {', '.join(untrusted)}")
    return skops_io.load(path, trusted=TRUSTED_TYPES)


@lru_cache(maxsize=4)
def load(version: str) -> TriageModel:
    """The stored model `version` (read once per process)."""
    record = read_index()["models"].get(version)
    if record is None:
        raise ModelNotFound(
            f"no triage model {version!r} in {models_dir()}: csflows classifier show lists them"
        )
    pipeline = load_pipeline(models_dir() / f"{version}.skops")
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
    current: str | None = read_index()["current"]
    return current


def current_model() -> TriageModel:
    version = current_version()
    if version is None:
        raise ModelNotFound(f"no triage model promoted yet in {models_dir()}")
    return load(version)


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


def promote(candidate: str, shipped: dict[str, Any] | None = None) -> str:
    """Make `candidate` current unless it is worse than the current model, or, when none has been
    promoted, than the `shipped` model's record (the one typing tickets until now); returns it."""
    index = read_index()
    if candidate not in index["models"]:
        raise ModelNotFound(
            f"no triage model {candidate!r} in {models_dir()}: csflows classifier show lists them"
        )
    current = index["current"]
    if current == candidate:
        return candidate
    incumbent = index["models"][current] if current is not None else shipped
    if incumbent is not None:
        worse = worse_than(index["models"][candidate]["evaluation"], incumbent["evaluation"])
        if worse:
            raise ModelRefused(
                f"{candidate} is worse than {incumbent['version']}: {'; '.join(worse)}"
            )
    index["history"].append(candidate)
    index["current"] = candidate
    write_index(index)
    return candidate


def rollback() -> str:
    """Go back to the model promoted before the current one; returns it."""
    index = read_index()
    if len(index["history"]) < 2:
        raise ModelRefused("no earlier triage model to roll back to")
    index["history"].pop()
    index["current"] = index["history"][-1]
    write_index(index)
    return str(index["current"])


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
