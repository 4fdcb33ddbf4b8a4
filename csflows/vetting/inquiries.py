"""New-customer inquiries in the store (seed 001): the raw form first, one vetting per inquiry,
assessments per round, and the audit trail of every decision (who, when, why, evidence seen)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from csflows import limits, store
from csflows.errors import InquiryNotFound
from csflows.models import Assessment, CheckResult, MissingField, NewCustomerInquiry, Recommendation
from csflows.store.tables import CheckResultRow, DecisionRow, InquiryRow, MessageRow

ACTIVE = ("received", "awaiting_approval", "info_requested", "awaiting_first_po")
FINISHED = ("declined", "customer_created")
SYSTEM = "csflows"
NOT_A_FIELD = "is not a field of the New Customer Inquiry Form"  # the reviewer name of decisions the flow makes itself


DEPLOYMENT = "vet-new-customer/vet-new-customer"


@dataclass(frozen=True)
class Claim:
    """What a submitted form means for its inquiry.

    vet: this run vets it (round `round`); answer: it answers the info request of run `owner`;
    duplicate: another run has it, or it is already decided.
    """

    inquiry_id: int
    action: Literal["vet", "answer", "duplicate"]
    round: int = 1
    status: str = "received"
    owner: str | None = None


def raw_answer(raw: dict[str, Any], key: str, limit: int = 200) -> str:
    """A raw form's answer as one clean line of at most `limit` characters, for the store's summary
    columns: the raw form is stored before it is checked, and may hold anything."""
    return limits.one_line(str(raw.get(key) or ""), limit)


def _norm(value: Any) -> str:
    return "".join(ch for ch in str(value or "").lower() if ch.isalnum())


def dedupe_key(raw: dict[str, Any]) -> str:
    """The same applicant and business for the same division is the same inquiry."""
    parts = [_norm(raw.get("email")), _norm(raw.get("business_name")), _norm(raw.get("division"))]
    if not any(parts):
        parts = [json.dumps(raw, sort_keys=True, default=str)]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


def _received_round(s: Session, inquiry_id: int, flow_run_id: str) -> int | None:
    for row in _decisions(s, inquiry_id):
        ev = row.evidence or {}
        if row.decision == "received" and ev.get("flow_run_id") == flow_run_id:
            return int(ev["round"])
    return None


def _next_round(s: Session, inquiry_id: int) -> int:
    rounds = [int((r.evidence or {}).get("round", 0)) for r in _decisions(s, inquiry_id)]
    return max(rounds, default=0) + 1


def _decisions(s: Session, inquiry_id: int) -> list[DecisionRow]:
    query = select(DecisionRow).where(DecisionRow.inquiry_id == inquiry_id).order_by(DecisionRow.id)
    return list(s.scalars(query))


def _received(s: Session, row: InquiryRow, flow_run_id: str, round_: int, source: str) -> None:
    s.add(
        DecisionRow(
            inquiry_id=row.id,
            decision="received",
            reviewer=SYSTEM,
            note=f"form received from {source}; round {round_}",
            evidence={
                "key": f"received:{flow_run_id}",
                "flow_run_id": flow_run_id,
                "round": round_,
            },
        )
    )


def receive(
    raw: dict[str, Any],
    flow_run_id: str,
    source: str = "ui",
    ticket_id: int | None = None,
    run_alive: Callable[[str], bool] = lambda _run: True,
) -> Claim:
    """Store the raw form (before anything parses it) and decide what this submission is."""
    key = dedupe_key(raw)
    text = json.dumps(raw, default=str)
    for _attempt in range(2):
        try:
            with store.session() as s:
                row = s.scalar(select(InquiryRow).where(InquiryRow.dedupe_key == key))
                if row is None:
                    row = InquiryRow(
                        dedupe_key=key,
                        raw=text,
                        raw_format="json",
                        business_name=raw_answer(raw, "business_name", 300),
                        email=raw_answer(raw, "email", limits.EMAIL_CHARS),
                        source=source,
                        ticket_id=ticket_id,
                        flow_run_id=flow_run_id,
                        status="received",
                    )
                    s.add(row)
                    s.flush()
                    _received(s, row, flow_run_id, 1, source)
                    return Claim(row.id, "vet", 1, row.status)
                return _claim_existing(s, row, raw, text, flow_run_id, source, run_alive)
        except IntegrityError:
            continue  # a concurrent submission inserted it first: read theirs
    raise RuntimeError(f"inquiry {key[:12]} could not be stored")


def _claim_existing(
    s: Session,
    row: InquiryRow,
    raw: dict[str, Any],
    text: str,
    flow_run_id: str,
    source: str,
    run_alive: Callable[[str], bool],
) -> Claim:
    known = _received_round(s, row.id, flow_run_id)
    if known is not None:  # this run, executed again (resumed or retried)
        return Claim(row.id, "vet", known, row.status)
    owner = row.flow_run_id
    owner_alive = bool(owner) and row.status in ACTIVE and run_alive(owner or "")
    if row.status == "info_requested" and owner_alive:
        s.add(
            DecisionRow(
                inquiry_id=row.id,
                decision="answer_received",
                reviewer=raw_answer(raw, "email") or source,
                note=f"re-submitted form from {source}, forwarded to the waiting vetting",
                evidence={"key": f"answer:{flow_run_id}", "flow_run_id": flow_run_id, "raw": raw},
            )
        )
        return Claim(row.id, "answer", 0, row.status, owner)
    if row.status in FINISHED or owner_alive:
        return Claim(row.id, "duplicate", 0, row.status, owner)
    # returned for completion, or its run died: this run continues the same inquiry
    round_ = _next_round(s, row.id)
    row.raw, row.form, row.status, row.flow_run_id = text, None, "received", flow_run_id
    row.business_name = raw_answer(raw, "business_name", 300) or row.business_name
    row.email = raw_answer(raw, "email", limits.EMAIL_CHARS) or row.email
    _received(s, row, flow_run_id, round_, source)
    return Claim(row.id, "vet", round_, "received")


def parse_form(raw: dict[str, Any]) -> tuple[NewCustomerInquiry | None, list[MissingField]]:
    """The form as the model reads it, plus every field it cannot read (unknown ones included),
    each with a reason; None only when nothing of it can be read."""
    from csflows.errors import FormError
    from csflows.vetting.forms.reading import inquiry_from_data

    known = set(NewCustomerInquiry.model_fields)
    unknown = [MissingField(field=k, reason=NOT_A_FIELD) for k in sorted(set(raw) - known)]
    try:
        form, problems = inquiry_from_data({k: v for k, v in raw.items() if k in known})
    except (FormError, TypeError, AttributeError) as exc:
        return None, [*unknown, MissingField(field="form", reason=str(exc))]
    return form, [*unknown, *problems]


def raw_form(inquiry_id: int) -> dict[str, Any]:
    with store.session() as s:
        row = _row(s, inquiry_id)
        return dict(json.loads(row.raw))


def save_form(inquiry_id: int, form: NewCustomerInquiry, raw: dict[str, Any] | None = None) -> None:
    """Keep the parsed form (and the raw one it came from, when it changed)."""
    with store.session() as s:
        row = _row(s, inquiry_id)
        if raw is not None:
            row.raw = json.dumps(raw, default=str)
        row.form = form.model_dump(mode="json")
        row.business_name = form.business_name or row.business_name
        row.email = form.email or row.email
        row.division = form.division


def save_raw(inquiry_id: int, raw: dict[str, Any]) -> None:
    """Keep a form that does not parse yet (nothing the applicant sent is lost)."""
    with store.session() as s:
        row = _row(s, inquiry_id)
        row.raw, row.form = json.dumps(raw, default=str), None


def _row(s: Session, inquiry_id: int) -> InquiryRow:
    row = s.get(InquiryRow, inquiry_id)
    if row is None:
        raise InquiryNotFound(f"inquiry {inquiry_id} does not exist")
    return row


def save_assessment(inquiry_id: int, round_: int, assessment: Assessment) -> None:
    """Persist one round's assessment, so a resumed run never checks (or pays for) it again."""
    with store.session() as s:
        s.execute(
            delete(CheckResultRow).where(
                CheckResultRow.inquiry_id == inquiry_id, CheckResultRow.round == round_
            )
        )
        for result in assessment.criteria.values():
            s.add(
                CheckResultRow(
                    inquiry_id=inquiry_id,
                    round=round_,
                    criterion=result.criterion,
                    verdict=result.verdict.value,
                    evidence=[e.model_dump(mode="json") for e in result.evidence],
                    api_calls=result.api_calls,
                )
            )
        s.add(
            CheckResultRow(
                inquiry_id=inquiry_id,
                round=round_,
                criterion="recommendation",
                verdict=assessment.recommendation.value,
                evidence=[m.model_dump(mode="json") for m in assessment.missing_fields],
            )
        )
        _row(s, inquiry_id).recommendation = assessment.recommendation.value


def load_assessment(inquiry_id: int, round_: int) -> Assessment | None:
    """The assessment persisted for this round, if it was made."""
    with store.session() as s:
        rows = list(
            s.scalars(
                select(CheckResultRow).where(
                    CheckResultRow.inquiry_id == inquiry_id, CheckResultRow.round == round_
                )
            )
        )
    summary = next((r for r in rows if r.criterion == "recommendation"), None)
    if summary is None:
        return None
    return Assessment(
        recommendation=Recommendation(summary.verdict),
        missing_fields=[MissingField.model_validate(m) for m in summary.evidence],
        criteria={
            r.criterion: CheckResult(
                criterion=r.criterion,
                verdict=r.verdict,  # type: ignore[arg-type]
                evidence=r.evidence,  # type: ignore[arg-type]
                api_calls=r.api_calls,
            )
            for r in rows
            if r.criterion != "recommendation"
        },
    )


def set_status(inquiry_id: int, status: str) -> None:
    with store.session() as s:
        _row(s, inquiry_id).status = status


def status(inquiry_id: int) -> str:
    with store.session() as s:
        return _row(s, inquiry_id).status


def record_decision(
    inquiry_id: int,
    key: str,
    decision: str,
    reviewer: str = SYSTEM,
    note: str = "",
    evidence: dict[str, Any] | None = None,
) -> bool:
    """Add one audit-trail entry, once per key (a re-run records nothing twice)."""
    with store.session() as s:
        if any((r.evidence or {}).get("key") == key for r in _decisions(s, inquiry_id)):
            return False
        s.add(
            DecisionRow(
                inquiry_id=inquiry_id,
                decision=decision,
                reviewer=reviewer,
                note=note,
                evidence={"key": key, **(evidence or {})},
            )
        )
    return True


def decision(inquiry_id: int, key: str) -> dict[str, Any] | None:
    """The audit-trail entry recorded under `key`, as a dict (with `decided_at`)."""
    with store.session() as s:
        for row in _decisions(s, inquiry_id):
            if (row.evidence or {}).get("key") == key:
                return _decision_dict(row)
    return None


def _utc(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; the store writes UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _decision_dict(row: DecisionRow) -> dict[str, Any]:
    return {
        "decision": row.decision,
        "reviewer": row.reviewer,
        "note": row.note,
        "decided_at": _utc(row.decided_at),
        "evidence": row.evidence or {},
    }


def awaiting_approval() -> list[dict[str, Any]]:
    """Inquiries waiting for the supervisor, with when the current approval was asked for."""
    with store.session() as s:
        rows = list(s.scalars(select(InquiryRow).where(InquiryRow.status == "awaiting_approval")))
        out = []
        for row in rows:
            asks = [d for d in _decisions(s, row.id) if d.decision == "approval_requested"]
            if asks:
                ask = asks[-1]
                out.append(
                    {
                        "inquiry_id": row.id,
                        "business_name": row.business_name,
                        "flow_run_id": row.flow_run_id,
                        "round": int((ask.evidence or {}).get("round", 1)),
                        "requested_at": _utc(ask.decided_at),
                    }
                )
    return out


def show(inquiry_id: int) -> dict[str, Any]:
    """Everything about an inquiry: its form, the latest checks, the audit trail, the mail sent."""
    with store.session() as s:
        row = _row(s, inquiry_id)
        checks = list(
            s.scalars(
                select(CheckResultRow)
                .where(CheckResultRow.inquiry_id == inquiry_id)
                .order_by(CheckResultRow.round, CheckResultRow.id)
            )
        )
        latest = max((c.round for c in checks), default=0)
        messages = list(
            s.scalars(
                select(MessageRow)
                .where(MessageRow.inquiry_id == inquiry_id)
                .order_by(MessageRow.id)
            )
        )
        return {
            "id": row.id,
            "business_name": row.business_name,
            "email": row.email,
            "division": row.division,
            "status": row.status,
            "recommendation": row.recommendation,
            "source": row.source,
            "ticket_id": row.ticket_id,
            "flow_run_id": row.flow_run_id,
            "created_at": row.created_at,
            "updated_at": row.updated_at,
            "round": latest,
            "checks": [
                {"criterion": c.criterion, "verdict": c.verdict, "evidence": c.evidence}
                for c in checks
                if c.round == latest
            ],
            "decisions": [_decision_dict(d) for d in _decisions(s, inquiry_id)],
            "messages": [
                {
                    "key": m.idempotency_key,
                    "to": m.recipient,
                    "subject": m.subject,
                    "status": m.status,
                    "sent_at": m.sent_at,
                }
                for m in messages
            ],
        }


def submit(form: dict[str, Any], source: str = "cli") -> tuple[str, str]:
    """Start the vet-new-customer deployment for a returned form; the run id and its UI link."""
    from prefect.deployments import run_deployment

    from csflows.vetting.gates import flow_run_link

    run: Any = run_deployment(DEPLOYMENT, parameters={"form": form, "source": source}, timeout=0)
    return str(run.id), flow_run_link(run.id)
