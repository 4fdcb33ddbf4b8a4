"""New-customer inquiries in the store (seed 001): the raw form first, one vetting per inquiry,
assessments per round, and the audit trail of every decision (who, when, why, evidence seen).

`InquiryRecord` holds one inquiry's row, its audit trail and its assessments; each step of the
vetting is one of its methods, written through to the store (one transaction per write, as the
vetting has always made them) so that a resumed run reads back what this one did.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from csflows import limits, store
from csflows.errors import FormError, InquiryNotFound
from csflows.models import (
    Assessment,
    CheckResult,
    InquiryStatus,
    MissingField,
    NewCustomerInquiry,
    Recommendation,
)
from csflows.store.tables import CheckResultRow, DecisionRow, InquiryRow, MessageRow
from csflows.vetting.forms.reading import inquiry_from_data

SYSTEM = "csflows"  # the reviewer name of decisions the flow makes itself
NOT_A_FIELD = "is not a field of the New Customer Inquiry Form"


@dataclass(frozen=True)
class Claim:
    """What a submitted form means for its inquiry.

    vet: this run vets it (round `round`); answer: it answers the info request of run `owner`;
    duplicate: another run has it, or it is already decided.
    """

    inquiry_id: int
    action: Literal["vet", "answer", "duplicate"]
    round: int = 1
    status: InquiryStatus = InquiryStatus.RECEIVED
    owner: str | None = None


@dataclass(frozen=True)
class Decision:
    """One audit-trail entry: who decided what, when, why, and the evidence (its `key` in it)."""

    decision: str
    reviewer: str
    note: str
    decided_at: datetime
    evidence: dict[str, Any]

    @classmethod
    def of(cls, row: DecisionRow) -> Decision:
        return cls(row.decision, row.reviewer, row.note, _utc(row.decided_at), row.evidence or {})

    @property
    def key(self) -> str | None:
        return self.evidence.get("key")

    def as_dict(self) -> dict[str, Any]:
        return {
            "decision": self.decision,
            "reviewer": self.reviewer,
            "note": self.note,
            "decided_at": self.decided_at,
            "evidence": self.evidence,
        }


@dataclass(frozen=True)
class WaitingApproval:
    """An inquiry at the supervisor's gate, and when the current approval was asked for."""

    inquiry_id: int
    business_name: str
    flow_run_id: str | None
    round: int
    requested_at: datetime


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


def parse_form(raw: dict[str, Any]) -> tuple[NewCustomerInquiry | None, list[MissingField]]:
    """The form as the model reads it, plus every field it cannot read (unknown ones included),
    each with a reason; None only when nothing of it can be read."""
    known = set(NewCustomerInquiry.model_fields)
    unknown = [MissingField(field=k, reason=NOT_A_FIELD) for k in sorted(set(raw) - known)]
    try:
        form, problems = inquiry_from_data({k: v for k, v in raw.items() if k in known})
    except (FormError, TypeError, AttributeError) as exc:
        return None, [*unknown, MissingField(field="form", reason=str(exc))]
    return form, [*unknown, *problems]


def _utc(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; the store writes UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _decisions(s: Session, inquiry_id: int) -> list[DecisionRow]:
    query = select(DecisionRow).where(DecisionRow.inquiry_id == inquiry_id).order_by(DecisionRow.id)
    return list(s.scalars(query))


def _row(s: Session, inquiry_id: int) -> InquiryRow:
    row = s.get(InquiryRow, inquiry_id)
    if row is None:
        raise InquiryNotFound(f"inquiry {inquiry_id} does not exist")
    return row


def _assessments(rows: list[CheckResultRow]) -> dict[int, Assessment]:
    """The assessment of every round that has its recommendation stored."""
    out = {}
    for round_ in sorted({r.round for r in rows}):
        this = [r for r in rows if r.round == round_]
        summary = next((r for r in this if r.criterion == "recommendation"), None)
        if summary is None:
            continue
        out[round_] = Assessment(
            recommendation=Recommendation(summary.verdict),
            missing_fields=[MissingField.model_validate(m) for m in summary.evidence],
            criteria={
                r.criterion: CheckResult(
                    criterion=r.criterion,
                    verdict=r.verdict,  # type: ignore[arg-type]
                    evidence=r.evidence,  # type: ignore[arg-type]
                    api_calls=r.api_calls,
                )
                for r in this
                if r.criterion != "recommendation"
            },
        )
    return out


@dataclass
class InquiryRecord:
    """One inquiry as the store holds it: the raw form, status, audit trail, assessments."""

    id: int
    status: InquiryStatus
    raw: dict[str, Any]
    business_name: str
    email: str
    division: str | None
    recommendation: str | None
    source: str
    ticket_id: int | None
    flow_run_id: str | None
    rep: str | None  # the Customer Service rep who runs it (a key of people.yaml)
    created_at: datetime
    updated_at: datetime
    decisions: list[Decision] = field(default_factory=list)
    assessments: dict[int, Assessment] = field(default_factory=dict)

    # --- reading -------------------------------------------------------------------------------

    @classmethod
    def load(cls, inquiry_id: int) -> InquiryRecord:
        """The inquiry with its audit trail and assessments; InquiryNotFound when there is none."""
        with store.session() as s:
            row = _row(s, inquiry_id)
            checks = s.scalars(
                select(CheckResultRow)
                .where(CheckResultRow.inquiry_id == inquiry_id)
                .order_by(CheckResultRow.round, CheckResultRow.id)
            )
            return cls(
                id=row.id,
                status=InquiryStatus(row.status),
                raw=dict(json.loads(row.raw)),
                business_name=row.business_name,
                email=row.email,
                division=row.division,
                recommendation=row.recommendation,
                source=row.source,
                ticket_id=row.ticket_id,
                flow_run_id=row.flow_run_id,
                rep=row.rep,
                created_at=row.created_at,
                updated_at=row.updated_at,
                decisions=[Decision.of(d) for d in _decisions(s, inquiry_id)],
                assessments=_assessments(list(checks)),
            )

    @classmethod
    def awaiting_approval(cls) -> list[WaitingApproval]:
        """Inquiries waiting for the supervisor, with when the current approval was asked for."""
        with store.session() as s:
            query = select(InquiryRow).where(
                InquiryRow.status == InquiryStatus.AWAITING_APPROVAL.value
            )
            out = []
            for row in s.scalars(query):
                asks = [d for d in _decisions(s, row.id) if d.decision == "approval_requested"]
                if asks:
                    out.append(
                        WaitingApproval(
                            inquiry_id=row.id,
                            business_name=row.business_name,
                            flow_run_id=row.flow_run_id,
                            round=int((asks[-1].evidence or {}).get("round", 1)),
                            requested_at=_utc(asks[-1].decided_at),
                        )
                    )
        return out

    @classmethod
    def needing_gate(cls) -> list[tuple[InquiryRecord, int]]:
        """Inquiries received for a gate created without a process (`receive(gate_pending=True)`)
        and not yet handed to it, each with its round: what a burst killed midway left to do."""
        with store.session() as s:
            query = select(InquiryRow).where(InquiryRow.status == InquiryStatus.RECEIVED.value)
            rounds = {row.id: _pending_gate_round(s, row) for row in s.scalars(query)}
        return [(cls.load(i), round_) for i, round_ in rounds.items() if round_ is not None]

    def parsed(self) -> tuple[NewCustomerInquiry | None, list[MissingField]]:
        """The current form as the model reads it, and every field it cannot read."""
        return parse_form(self.raw)

    def decision(self, key: str) -> Decision | None:
        """The audit-trail entry recorded under `key`."""
        return next((d for d in self.decisions if d.key == key), None)

    def answered(self, gate: str) -> bool:
        """Whether gate `gate` was answered already (a re-run must not move the status back)."""
        return self.decision(f"gate:{gate}") is not None

    def show(self) -> dict[str, Any]:
        """Everything about the inquiry: its form, the latest checks, the audit trail, the mail."""
        with store.session() as s:
            checks = list(
                s.scalars(
                    select(CheckResultRow)
                    .where(CheckResultRow.inquiry_id == self.id)
                    .order_by(CheckResultRow.round, CheckResultRow.id)
                )
            )
            messages = list(
                s.scalars(
                    select(MessageRow)
                    .where(MessageRow.inquiry_id == self.id)
                    .order_by(MessageRow.id)
                )
            )
            latest = max((c.round for c in checks), default=0)
            return {
                "id": self.id,
                "business_name": self.business_name,
                "email": self.email,
                "division": self.division,
                "status": self.status.value,
                "recommendation": self.recommendation,
                "source": self.source,
                "ticket_id": self.ticket_id,
                "flow_run_id": self.flow_run_id,
                "created_at": self.created_at,
                "updated_at": self.updated_at,
                "round": latest,
                "checks": [
                    {"criterion": c.criterion, "verdict": c.verdict, "evidence": c.evidence}
                    for c in checks
                    if c.round == latest
                ],
                "decisions": [d.as_dict() for d in self.decisions],
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

    # --- receiving a form ----------------------------------------------------------------------

    @classmethod
    def receive(
        cls,
        raw: dict[str, Any],
        flow_run_id: str,
        source: str = "ui",
        ticket_id: int | None = None,
        run_alive: Callable[[str], bool] = lambda _run: True,
        rep: str | None = None,
        gate_pending: bool = False,
    ) -> Claim:
        """Store the raw form (before anything parses it) and decide what this submission is.
        `gate_pending`: received to be checked now and handed to a gate run created later (a
        burst); until then the inquiry is among `needing_gate()`."""
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
                            rep=rep,
                            status=InquiryStatus.RECEIVED.value,
                        )
                        s.add(row)
                        s.flush()
                        _received(s, row, flow_run_id, 1, source, gate_pending)
                        return Claim(row.id, "vet", 1, InquiryStatus(row.status))
                    return _claim_existing(
                        s, row, raw, text, flow_run_id, source, run_alive, gate_pending
                    )
            except IntegrityError:
                continue  # a concurrent submission inserted it first: read theirs
        raise RuntimeError(f"inquiry {key[:12]} could not be stored")

    # --- writing: one transaction each, kept in this record too ----------------------------------

    def set_status(self, status: InquiryStatus) -> None:
        with store.session() as s:
            _row(s, self.id).status = status.value
        self.status = status

    def record_decision(
        self,
        key: str,
        decision: str,
        reviewer: str = SYSTEM,
        note: str = "",
        evidence: dict[str, Any] | None = None,
    ) -> bool:
        """Add one audit-trail entry, once per key (a re-run records nothing twice)."""
        with store.session() as s:
            if any((r.evidence or {}).get("key") == key for r in _decisions(s, self.id)):
                return False
            row = DecisionRow(
                inquiry_id=self.id,
                decision=decision,
                reviewer=reviewer,
                note=note,
                evidence={"key": key, **(evidence or {})},
            )
            s.add(row)
            s.flush()
            self.decisions.append(Decision.of(row))
        return True

    def save_form(self, form: NewCustomerInquiry, raw: dict[str, Any] | None = None) -> None:
        """Keep the parsed form (and the raw one it came from, when it changed)."""
        with store.session() as s:
            row = _row(s, self.id)
            if raw is not None:
                row.raw = json.dumps(raw, default=str)
            row.form = form.model_dump(mode="json")
            row.business_name = form.business_name or row.business_name
            row.email = form.email or row.email
            row.division = form.division
            self.business_name, self.email, self.division = (
                row.business_name,
                row.email,
                form.division,
            )
        if raw is not None:
            self.raw = dict(raw)

    def save_raw(self, raw: dict[str, Any]) -> None:
        """Keep a form that does not parse yet (nothing the applicant sent is lost)."""
        with store.session() as s:
            row = _row(s, self.id)
            row.raw, row.form = json.dumps(raw, default=str), None
        self.raw = dict(raw)

    # --- the steps of the vetting ----------------------------------------------------------------

    def record_assessment(self, round_: int, assessment: Assessment) -> None:
        """Persist one round's assessment, so a resumed run never checks (or pays for) it again,
        then its audit-trail entry."""
        with store.session() as s:
            s.execute(
                delete(CheckResultRow).where(
                    CheckResultRow.inquiry_id == self.id, CheckResultRow.round == round_
                )
            )
            for result in assessment.criteria.values():
                s.add(
                    CheckResultRow(
                        inquiry_id=self.id,
                        round=round_,
                        criterion=result.criterion,
                        verdict=result.verdict.value,
                        evidence=[e.model_dump(mode="json") for e in result.evidence],
                        api_calls=result.api_calls,
                    )
                )
            s.add(
                CheckResultRow(
                    inquiry_id=self.id,
                    round=round_,
                    criterion="recommendation",
                    verdict=assessment.recommendation.value,
                    evidence=[m.model_dump(mode="json") for m in assessment.missing_fields],
                )
            )
            _row(s, self.id).recommendation = assessment.recommendation.value
        self.assessments[round_] = assessment
        self.recommendation = assessment.recommendation.value
        self.record_decision(
            f"assessed:{round_}",
            "assessed",
            note=f"recommendation {assessment.recommendation.value}",
            evidence={"round": round_, "assessment": assessment.model_dump(mode="json")},
        )

    def return_for_completion(self, round_: int, missing: list[MissingField]) -> None:
        """Seed 001: a form not completed in its entirety goes back to the applicant."""
        self.set_status(InquiryStatus.RETURNED_FOR_COMPLETION)
        self.record_decision(
            f"returned:{round_}",
            "returned_for_completion",
            note=", ".join(m.field for m in missing),
            evidence={"round": round_, "missing_fields": [m.model_dump() for m in missing]},
        )

    def request_approval(self, round_: int, supervisor: str, link: str, flow_run_id: str) -> None:
        """At the supervisor's gate (unless a re-run finds it answered), asked once per round."""
        if not self.answered(f"approval-{round_}"):
            self.set_status(InquiryStatus.AWAITING_APPROVAL)
        self.record_decision(
            f"approval-requested:{round_}",
            "approval_requested",
            note=f"asked {supervisor}",
            evidence={"round": round_, "link": link, "flow_run_id": flow_run_id},
        )

    def hand_to_gate(self, round_: int, flow_run_id: str, supervisor: str, link: str) -> None:
        """The approval gate's run, created already waiting, owns the inquiry from now on (one
        transaction): resumed, it finds this round received as its own, and the inquiry waits
        for the supervisor, asked once."""
        with store.session() as s:
            row = _row(s, self.id)
            row.flow_run_id = flow_run_id
            if _received_round(s, self.id, flow_run_id) is None:
                _received(s, row, flow_run_id, round_, self.source)
            key = f"approval-requested:{round_}"
            if not any((d.evidence or {}).get("key") == key for d in _decisions(s, self.id)):
                evidence = {"round": round_, "link": link, "flow_run_id": flow_run_id}
                _entry(s, row, key, "approval_requested", f"asked {supervisor}", evidence)
            row.status = InquiryStatus.AWAITING_APPROVAL.value
        self.flow_run_id, self.status = flow_run_id, InquiryStatus.AWAITING_APPROVAL

    def request_info(self, round_: int) -> None:
        """Waiting for the applicant's answer (unless a re-run finds it answered)."""
        if not self.answered(f"answer-{round_}"):
            self.set_status(InquiryStatus.INFO_REQUESTED)

    def await_first_po(self) -> None:
        """Approved: waiting for the first PO (unless a re-run finds it received)."""
        if not self.answered("first-po"):
            self.set_status(InquiryStatus.AWAITING_FIRST_PO)

    def record_customer(
        self, customer_id: str, netsuite_id: str | None, po_number: str, amount: str
    ) -> None:
        """Seed 001's end: the customer exists (store, and NetSuite when configured)."""
        self.set_status(InquiryStatus.CUSTOMER_CREATED)
        self.record_decision(
            "customer-created",
            "customer_created",
            note=f"customer {customer_id}, first PO {po_number}",
            evidence={
                "customer_id": customer_id,
                "netsuite_id": netsuite_id,
                "po_number": po_number,
                "amount": amount,
            },
        )

    def record_nudge(self, action: str, round_: int, waited: float, to: str) -> bool:
        """A reminder or escalation about an unanswered approval, once per round and action."""
        return self.record_decision(
            f"approval-{action}:{round_}",
            f"approval_{action}",
            note=f"waited {waited:.1f} business days; emailed {to}",
            evidence={"round": round_, "waited_business_days": round(waited, 2)},
        )


def _received_round(s: Session, inquiry_id: int, flow_run_id: str) -> int | None:
    for row in _decisions(s, inquiry_id):
        ev = row.evidence or {}
        if row.decision == "received" and ev.get("flow_run_id") == flow_run_id:
            return int(ev["round"])
    return None


def _pending_gate_round(s: Session, row: InquiryRow) -> int | None:
    """The round a burst received the inquiry for while it still waits for its gate."""
    for decision in _decisions(s, row.id):
        ev = decision.evidence or {}
        if ev.get("gate") == "pending" and ev.get("flow_run_id") == row.flow_run_id:
            return int(ev["round"])
    return None


def _next_round(s: Session, inquiry_id: int) -> int:
    rounds = [int((r.evidence or {}).get("round", 0)) for r in _decisions(s, inquiry_id)]
    return max(rounds, default=0) + 1


def _received(
    s: Session,
    row: InquiryRow,
    flow_run_id: str,
    round_: int,
    source: str,
    gate_pending: bool = False,
) -> None:
    pending = {"gate": "pending"} if gate_pending else {}
    evidence = {"flow_run_id": flow_run_id, "round": round_, **pending}
    note = f"form received from {source}; round {round_}"
    _entry(s, row, f"received:{flow_run_id}", "received", note, evidence)


def _entry(
    s: Session, row: InquiryRow, key: str, decision: str, note: str, evidence: dict[str, Any]
) -> None:
    """One audit-trail entry the flow makes itself, under `key`, in the caller's transaction."""
    s.add(
        DecisionRow(
            inquiry_id=row.id,
            decision=decision,
            reviewer=SYSTEM,
            note=note,
            evidence={"key": key, **evidence},
        )
    )


def _claim_existing(
    s: Session,
    row: InquiryRow,
    raw: dict[str, Any],
    text: str,
    flow_run_id: str,
    source: str,
    run_alive: Callable[[str], bool],
    gate_pending: bool = False,
) -> Claim:
    status = InquiryStatus(row.status)
    known = _received_round(s, row.id, flow_run_id)
    if known is not None:  # this run, executed again (resumed or retried)
        return Claim(row.id, "vet", known, status)
    owner = row.flow_run_id
    owner_alive = bool(owner) and status.active and run_alive(owner or "")
    if status is InquiryStatus.INFO_REQUESTED and owner_alive:
        s.add(
            DecisionRow(
                inquiry_id=row.id,
                decision="answer_received",
                reviewer=raw_answer(raw, "email") or source,
                note=f"re-submitted form from {source}, forwarded to the waiting vetting",
                evidence={"key": f"answer:{flow_run_id}", "flow_run_id": flow_run_id, "raw": raw},
            )
        )
        return Claim(row.id, "answer", 0, status, owner)
    if status.finished or owner_alive:
        return Claim(row.id, "duplicate", 0, status, owner)
    pending = _pending_gate_round(s, row)
    if pending is not None and status is InquiryStatus.RECEIVED:
        # a burst received it and died before its gate: the same round, its gate created once
        row.flow_run_id = flow_run_id
        _received(s, row, flow_run_id, pending, source, gate_pending)
        return Claim(row.id, "vet", pending, status)
    # returned for completion, or its run died: this run continues the same inquiry
    round_ = _next_round(s, row.id)
    row.raw, row.form, row.flow_run_id = text, None, flow_run_id
    row.status = InquiryStatus.RECEIVED.value
    row.business_name = raw_answer(raw, "business_name", 300) or row.business_name
    row.email = raw_answer(raw, "email", limits.EMAIL_CHARS) or row.email
    _received(s, row, flow_run_id, round_, source, gate_pending)
    return Claim(row.id, "vet", round_, InquiryStatus.RECEIVED)
