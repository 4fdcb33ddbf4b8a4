"""The vetting's human gates (seed 001) as Resume forms, and how each answer enters the
inquiry's audit trail. A gate's answer is kept there under `gate:<key>`, so a re-run reads it back
(`recorded_answer`). Suspending at a gate, starting a vetting run and answering one from another
flow drive Prefect: they are `tasks.vetting_gates`.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any, Literal, TypeVar

import pydantic
from prefect.input import RunInput
from pydantic import Field

from csflows.models import Assessment
from csflows.models.common import Line, Name, Paragraph
from csflows.money import usd
from csflows.run_inputs import Choice
from csflows.vetting.inquiries import InquiryRecord, parse_form, raw_answer


class Approval(Choice):
    """The supervisor's decision, in words; `code` is what the audit trail keeps."""

    APPROVE = "approve"
    DECLINE = "decline"
    REQUEST_INFO = "ask the applicant for information"


class ApprovalDecision(RunInput):
    """The supervisor's answer to a vetting (exactly these four fields). Nothing says who
    decides until they do: the reviewer has no default, so an answer without one is refused."""

    decision: Approval = Field(
        description="approve: the applicant is asked for a first PO. decline: the decline "
        "letter for the first failing criterion goes out. ask the applicant for information: "
        "your note goes to the applicant as a question, and the form is checked again when "
        "they answer."
    )
    reviewer: Name = Field(description="Who decides; the audit trail keeps it with the time.")
    note: Paragraph = Field(
        "",
        description="Why. When you ask the applicant for information: the question they receive.",
    )
    sales_agent: Name | None = Field(
        None,
        description="With approve: the new customer's sales agent, who makes the retention "
        "calls and visits. Pre-filled by rotation among the division's agents.",
    )

    def record(self, inquiry: InquiryRecord, round_: int, assessment: Assessment) -> None:
        """The audit trail: who decided, when, why, and the evidence they saw."""
        inquiry.record_decision(
            f"gate:approval-{round_}",
            self.decision.code,
            reviewer=self.reviewer,
            note=self.note,
            evidence={
                "round": round_,
                "answer": self.model_dump(mode="json"),
                "assessment": assessment.model_dump(mode="json"),
            },
        )


def approval_form(reviewers: Sequence[str], agents: Sequence[str]) -> type[ApprovalDecision]:
    """The approval gate with dropdowns: the reviewer among the configured supervisors (so the
    audit trail names a real person) and the sales agent among the division's agents."""
    fields = ApprovalDecision.model_fields
    reviewer: Any = Literal[tuple(reviewers)]
    agent: Any = Literal[tuple(agents)] | None
    return pydantic.create_model(
        "ApprovalDecision",
        __base__=ApprovalDecision,
        reviewer=(reviewer, fields["reviewer"]),
        sales_agent=(agent, fields["sales_agent"]),
    )


class FirstPurchaseOrder(RunInput):
    """The approved applicant's first purchase order; only then is the customer created."""

    po_number: Line = Field(description="The number on the applicant's first purchase order.")
    amount: Decimal = Field(
        ge=0, description="The purchase order's total in US dollars, e.g. 1250.50 for $1,250.50."
    )

    def record(self, inquiry: InquiryRecord, sender: str) -> None:
        inquiry.record_decision(
            "gate:first-po",
            "first_po_received",
            reviewer=sender,
            note=f"PO {self.po_number} for {usd(self.amount)}",
            evidence={"answer": self.model_dump(mode="json")},
        )


def first_po_form(minimum: Decimal | None) -> type[FirstPurchaseOrder]:
    """The first-PO gate's form: with the division's minimum order (seed 001), a total below it
    is refused, so the gate keeps waiting and no customer is created."""
    if minimum is None:
        return FirstPurchaseOrder
    amount = FirstPurchaseOrder.model_fields["amount"]
    return pydantic.create_model(
        "FirstPurchaseOrder",
        __base__=FirstPurchaseOrder,
        amount=(
            Decimal,
            Field(
                ge=minimum,
                description=f"{amount.description} At least the division's minimum order, "
                f"{usd(minimum)}: a PO below it opens no account.",
            ),
        ),
    )


class ApplicantAnswer(RunInput):
    """The applicant's answer to a request for information: the form's changed fields (or all)."""

    form: dict[str, Any] = Field(
        description="The form fields the answer changes, by their names on the form, e.g. "
        '{"website": "https://shop.example", "address": {"city": "Dallas"}}.'
    )
    note: Paragraph = Field("", description="What the applicant said, for the audit trail.")

    def apply(self, inquiry: InquiryRecord, round_: int) -> list[str]:
        """Lay the answer over the stored form, once; returns the fields that changed."""
        before = inquiry.raw
        after = _merge(before, self.form)
        flat_before, flat_after = _flat(before), _flat(after)
        changed = sorted(
            k for k in set(flat_before) | set(flat_after) if flat_before.get(k) != flat_after.get(k)
        )
        if inquiry.record_decision(
            f"gate:answer-{round_}",
            "info_received",
            reviewer=raw_answer(after, "email") or "applicant",
            note=self.note or f"changed: {', '.join(changed) or 'nothing'}",
            evidence={
                "round": round_ + 1,
                "answer": self.model_dump(mode="json"),
                "changed": changed,
            },
        ):
            form, _ = parse_form(after)
            if form is not None:
                inquiry.save_form(form, raw=after)
            else:
                inquiry.save_raw(after)
        return changed


def _merge(base: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in changes.items():
        out[key] = (
            _merge(out[key], value)
            if isinstance(value, dict) and isinstance(out.get(key), dict)
            else value
        )
    return out


def _flat(doc: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in doc.items():
        if isinstance(value, dict):
            out |= _flat(value, f"{prefix}{key}.")
        else:
            out[f"{prefix}{key}"] = value
    return out


G = TypeVar("G", bound=RunInput)


def recorded_answer(inquiry: InquiryRecord, key: str, answer_type: type[G]) -> G | None:
    """The answer given at gate `key` before (a resumed or retried run reads it back from the
    audit trail instead of asking again), or None while the gate was never answered."""
    answered = inquiry.decision(f"gate:{key}")
    if answered is None:
        return None
    return answer_type.model_validate(answered.evidence["answer"])
