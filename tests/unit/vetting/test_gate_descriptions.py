"""Vetting's Resume dialogs as a person reads them: the first lines say what to decide and on
what evidence, money shows its currency, choices are words, and nobody is pre-filled as the
one who decides."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pydantic
import pytest
from prefect._internal.pydantic.v2_schema import create_v2_schema

from csflows.models import (
    Assessment,
    CheckResult,
    Evidence,
    MissingField,
    NewCustomerInquiry,
    Recommendation,
)
from csflows.run_inputs import with_context
from csflows.vetting import keying
from csflows.vetting.forms.returned import FormReading
from csflows.vetting.gates import Approval, ApprovalDecision, FirstPurchaseOrder, first_po_form
from csflows.vetting.inquiries import InquiryRecord
from csflows.vetting.scorecard import approval_context, render_scorecard
from flows.vetting import answer_context, approval_form_for, approval_prefill, first_po_context
from tasks.vetting_gates import wait_at_gate

FORM = NewCustomerInquiry(
    business_name="Paper Lantern Crafts LLC",
    dba="Paper Lantern",
    contact_name="Ana Ruiz",
    email="ana@paperlantern.example",
    division="Craft & Hobby",
    website="https://paperlantern.example",
    store_type="physical",
    payment_method="credit_card",
    first_order_amount=Decimal("1234.5"),
    annual_purchases=Decimal("12000"),
)


def _check(name: str, verdict: str, *facts: str) -> CheckResult:
    evidence = [Evidence(source="form", fact=fact) for fact in facts]
    return CheckResult(criterion=name, verdict=verdict, evidence=evidence)


ASSESSMENT = Assessment(
    recommendation=Recommendation.REVIEW,
    criteria={
        "amazon": _check("amazon", "pass", "does not sell on Amazon"),
        "address": _check("address", "review", "residential: yes", "business: no"),
        "website": _check("website", "pass", "a store with a cart"),
        "products": _check("products", "pass", "scrapbook albums fit Craft & Hobby"),
        "minimums": _check("minimums", "pass", "first order $1,234.50 meets $350.00"),
    },
)


def test_the_approval_dialog_leads_with_the_recommendation_and_each_verdict() -> None:
    lines = approval_context(4, FORM, ASSESSMENT, 2).splitlines()
    assert lines[0] == "**Recommendation: REVIEW** for **Paper Lantern Crafts LLC**"
    assert lines[2] == (
        "amazon **PASS** · address **REVIEW** · website **PASS** · products **PASS** · "
        "minimums **PASS**"
    )
    assert lines[4:9] == [  # one line each, the criterion that needs a person first
        "- **address: REVIEW**: residential: yes (form); business: no (form)",
        "- **amazon: PASS**: does not sell on Amazon (form)",
        "- **website: PASS**: a store with a cart (form)",
        "- **products: PASS**: scrapbook albums fit Craft \\& Hobby (form)",  # escaped
        "- **minimums: PASS**: first order $1,234.50 meets $350.00 (form)",
    ]


def test_an_unchecked_criterion_says_so_in_the_verdicts() -> None:
    partial = ASSESSMENT.model_copy(update={"criteria": {"amazon": ASSESSMENT.criteria["amazon"]}})
    assert "website **not checked**" in approval_context(4, FORM, partial).splitlines()[2]


def test_the_applicants_details_follow_the_verdicts_under_small_headings() -> None:
    text = approval_context(4, FORM, ASSESSMENT, 2)
    lines = text.splitlines()
    assert not [line for line in lines if line.startswith(("# ", "## ", "### "))]
    assert "#### Paper Lantern Crafts LLC: inquiry 4, round 2" in lines
    assert text.index("DBA | Paper Lantern") > text.index("**minimums: PASS**")
    assert "| First order / annual | $1,234.50 / $12,000.00 |" in lines
    assert "| Store type / payment | physical / credit card |" in lines


def test_fields_to_check_come_with_the_verdicts_before_the_details() -> None:
    flagged = ASSESSMENT.model_copy(
        update={"missing_fields": [MissingField(field="tax_id", reason="not a tax id")]}
    )
    text = approval_context(4, FORM, flagged)
    assert text.index("#### Fields to check") < text.index("#### Paper Lantern")
    assert "- `tax_id`: not a tax id" in text


def test_the_scorecard_artifact_keeps_its_title_over_the_same_lines() -> None:
    text = render_scorecard(4, FORM, ASSESSMENT, 2)
    title, _, body = text.partition("\n\n")
    assert title == "# Vetting scorecard: Paper Lantern Crafts LLC (inquiry 4, round 2)"
    assert body.startswith("**Recommendation: REVIEW**\n\namazon **PASS** · address **REVIEW**")


def test_the_approval_gate_prefills_the_decision_and_agent_but_never_the_reviewer(
    store_ready: Path,
) -> None:
    approve = ASSESSMENT.model_copy(update={"recommendation": Recommendation.APPROVE})
    prefill = approval_prefill(FORM, approve)
    assert prefill["decision"] is Approval.APPROVE and prefill["sales_agent"]
    assert "reviewer" not in prefill
    assert "decision" not in approval_prefill(FORM, ASSESSMENT)  # review: the supervisor picks
    form = with_context(approval_form_for(FORM), "", **prefill)
    schema = create_v2_schema(form.__name__, model_base=form)
    reviewer = schema["properties"]["reviewer"]
    assert "reviewer" in schema["required"] and "default" not in reviewer
    assert "Pat Morgan" in reviewer["enum"] and "Robin Hale" in reviewer["enum"]
    assert schema["definitions"]["Approval"]["enum"] == [
        "approve",
        "decline",
        "ask the applicant for information",
    ]


RAW = {"email": "ana@paperlantern.example", "business_name": "Paper Lantern Crafts LLC"}


def test_the_audit_trail_keeps_the_decisions_code_and_reads_the_answer_back(
    store_ready: Path,
) -> None:
    inquiry = InquiryRecord.load(InquiryRecord.receive(RAW, "run-1").inquiry_id)
    answer = ApprovalDecision(
        decision="ask the applicant for information", reviewer="Robin Hale", note="Tax id?"
    )
    answer.record(inquiry, 1, ASSESSMENT)
    again = InquiryRecord.load(inquiry.id)
    decided = again.decision("gate:approval-1")
    assert decided is not None and decided.decision == "request_info"
    assert wait_at_gate(again, "approval-1", ApprovalDecision).decision is Approval.REQUEST_INFO


def test_the_first_po_gate_says_what_to_enter_first_and_notes_the_amount_in_dollars(
    store_ready: Path,
) -> None:
    inquiry = InquiryRecord.load(InquiryRecord.receive(RAW, "run-1").inquiry_id)
    inquiry.record_decision("gate:approval-1", "approve", "Robin Hale")
    lines = first_po_context(InquiryRecord.load(inquiry.id), FORM).splitlines()
    assert lines[0].startswith("**Waiting for the first purchase order of Paper Lantern")
    assert "only if it came another way" in lines[0]
    assert lines[2].startswith("- Paper Lantern Crafts LLC was approved by Robin Hale on ")
    assert lines[3] == "- Craft \\& Hobby's minimum order is $350.00."

    FirstPurchaseOrder(po_number="PO-7", amount=Decimal("1234.5")).record(inquiry, RAW["email"])
    received = InquiryRecord.load(inquiry.id).decision("gate:first-po")
    assert received is not None and received.note == "PO PO-7 for $1,234.50"


def test_the_first_po_gate_refuses_a_total_below_the_divisions_minimum_order() -> None:
    """Seed 001's minimums hold at the UI gate too: a $100 first PO opens no account."""
    form = first_po_form(Decimal(350))
    with pytest.raises(pydantic.ValidationError, match="greater than or equal to 350"):
        form(po_number="PO-1", amount=Decimal(100))
    assert form(po_number="PO-2", amount=Decimal(350)).amount == Decimal(350)
    assert first_po_form(None) is FirstPurchaseOrder


def test_the_applicant_answer_gate_says_it_waits_before_the_question() -> None:
    lines = answer_context(FORM, "Your tax id?").splitlines()
    assert lines[0].startswith("**Waiting for the applicant's answer**")
    assert lines[-1] == "> Your tax id?"


READING = FormReading(filename="scan.pdf", method="OCR", form={}, text="Business name: X")


def test_the_keying_gate_says_what_to_do_then_what_could_not_be_read() -> None:
    unread = [MissingField(field="tax_id", reason="not readable")]
    lines = keying.describe(9, READING, unread, ticket_id=3).splitlines()
    assert lines[0].startswith("**Key this form from the file**")
    assert lines[2:5] == [
        "**Could not be read:**",
        "",
        "- Resale certificate or tax id: not readable",
    ]
    assert "scan.pdf" in lines[6] and "(attached to ticket 3)" in lines[6]


def test_the_keying_form_offers_choices_in_words_and_keeps_the_forms_codes() -> None:
    form = keying.keyed_form()
    schema = create_v2_schema(form.__name__, model_base=form)
    [choices] = [s["enum"] for s in schema["properties"]["payment_method"]["anyOf"] if "enum" in s]
    assert choices == ["credit card", "terms"]
    assert keying.prefilled({"payment_method": "credit_card"}) == {"payment_method": "credit card"}
    keyed = form.model_validate({"payment_method": "credit card", "keyed_by": "Jordan Diaz"})
    assert keyed.form() == {"payment_method": "credit_card"}
    assert "keyed_by" in schema["required"] and "default" not in schema["properties"]["keyed_by"]
