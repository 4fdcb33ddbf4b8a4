"""The mail of vetting (seed 001), composed from the letters in `config/templates/` (their
wording is ours, not the seeds': `config/letters.yaml`).

Each message has an idempotency key naming the inquiry, the step and the round, so a resumed
or retried run never sends it twice.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from csflows import templates
from csflows.divisions import divisions
from csflows.errors import DivisionNotFound
from csflows.links import waiting_for
from csflows.models import CRITERIA, Assessment, Division, MissingField, NewCustomerInquiry
from csflows.outbox import OutgoingEmail
from csflows.people import Person, people
from csflows.vetting.policy import ApprovalPolicy

DECLINE_REASONS = CRITERIA  # the first failing criterion, in this order, picks the letter
OUTCOME_LETTERS = frozenset({"vetting_approved", "vetting_request_info"})  # and the declines


def _division(form: NewCustomerInquiry) -> Division | None:
    try:
        return divisions().get(form.division or "")
    except DivisionNotFound:
        return None


def field_label(field: str) -> str:
    """`address.postal_code` -> `Address: postal code`; the form's own label when it has one."""
    head, _, rest = field.partition(".")
    info = NewCustomerInquiry.model_fields.get(head)
    label = (info.description if info and info.description else head.replace("_", " ")).strip()
    label = label[0].upper() + label[1:] if label else field
    return f"{label}: {rest.replace('_', ' ')}" if rest else label


def _email(key: str, to: str, template: str, inquiry_id: int, /, **values: Any) -> OutgoingEmail:
    rendered = templates.render(template, **values)
    return OutgoingEmail(
        key=key,
        to=to,
        subject=rendered.subject,
        body=rendered.body,
        template=template,
        values={k: v for k, v in values.items() if isinstance(v, str | int | float)},
        inquiry_id=inquiry_id,
    )


def signed_by(email: OutgoingEmail, rep: Person) -> OutgoingEmail:
    """A letter the rep signs answers to the rep and to the Customer Service inbox triage reads
    (Reply-To both: a returned form or a first PO must reach csflows, not only the rep's own
    mailbox), and the rep is copied when it tells the applicant the outcome (seed 001). Every
    letter signed by a rep goes through here."""
    email.reply_to = [str(rep.email), str(people().cs_queue)]
    if email.template in OUTCOME_LETTERS or (email.template or "").startswith("vetting_decline"):
        email.cc = [str(rep.email)]
    return email


def _from_rep(
    key: str, to: str, template: str, inquiry_id: int, rep: Person, /, **values: Any
) -> OutgoingEmail:
    """A letter to the applicant signed by the rep who runs the inquiry (`signed_by`)."""
    return signed_by(_email(key, to, template, inquiry_id, rep_name=rep.name, **values), rep)


def _applicant(form: NewCustomerInquiry) -> dict[str, str]:
    return {
        "contact_name": form.contact_name or form.business_name or "Customer",
        "business_name": form.business_name or "your business",
    }


def incomplete(
    inquiry_id: int,
    round_: int,
    to: str,
    form_values: dict[str, Any],
    missing: list[MissingField],
    rep: Person,
) -> OutgoingEmail:
    """Seed 001: a form not completed in its entirety goes back to the applicant, with the list.

    The greeting uses only names the form gave acceptably: a refused one (too long, a control
    character) is in the list, not in the letter."""
    names = _accepted(form_values, missing, "contact_name", "business_name")
    return _from_rep(
        f"vetting:{inquiry_id}:incomplete:{round_}",
        to,
        "vetting_incomplete",
        inquiry_id,
        rep,
        contact_name=names.get("contact_name") or names.get("business_name") or "Customer",
        business_name=names.get("business_name") or "your business",
        missing=[{"label": field_label(m.field), "reason": m.reason} for m in missing],
    )


def _accepted(
    form_values: dict[str, Any], missing: list[MissingField], *keys: str
) -> dict[str, str]:
    """The form's answers to `keys` that completeness did not refuse (a refused one, too long or
    with a control character, is in the list, never in a letter)."""
    refused = {m.field for m in missing}
    return {
        key: value
        for key in keys
        if key not in refused and isinstance(value := form_values.get(key), str) and value
    }


def return_by_rep(
    inquiry_id: int,
    round_: int,
    form_values: dict[str, Any],
    missing: list[MissingField],
    rep: Person,
    link: str,
) -> OutgoingEmail:
    """Seed 001: the rep sends an incomplete form back. When the form gives no usable email
    csflows cannot, so the rep who runs the inquiry is asked to, with the list and the run."""
    given = _accepted(form_values, missing, "contact_name", "business_name", "phone")
    return _email(
        f"vetting:{inquiry_id}:incomplete-by-rep:{round_}",
        str(rep.email),
        "vetting_return_by_rep",
        inquiry_id,
        rep_name=rep.name,
        inquiry_id=inquiry_id,
        business_name=given.get("business_name", ""),
        contact_name=given.get("contact_name", ""),
        phone=given.get("phone", ""),
        missing=[{"label": field_label(m.field), "reason": m.reason} for m in missing],
        link=link,
    )


def criteria_lines(assessment: Assessment) -> list[str]:
    lines = []
    for name in CRITERIA:
        result = assessment.criteria.get(name)
        if result is None:
            continue
        fact = result.deciding_fact()
        lines.append(f"{name}: {result.verdict.value}" + (f" ({fact})" if fact else ""))
    return lines


def supervisor_review(
    inquiry_id: int,
    round_: int,
    form: NewCustomerInquiry,
    assessment: Assessment,
    link: str,
    rules: ApprovalPolicy,
) -> OutgoingEmail:
    division = _division(form)
    return _email(
        f"vetting:{inquiry_id}:supervisor:{round_}",
        str(rules.supervisor_email),
        "vetting_supervisor_review",
        inquiry_id,
        business_name=form.business_name or "",
        inquiry_id=inquiry_id,
        division=division.name if division else (form.division or ""),
        recommendation=assessment.recommendation.value,
        criteria=criteria_lines(assessment),
        link=link,
        queue_link=waiting_for("supervisor"),
    )


def approval_nudge(
    stage: str,
    inquiry_id: int,
    round_: int,
    business_name: str,
    waited: float,
    link: str,
    rules: ApprovalPolicy,
) -> OutgoingEmail:
    """A waiting approval: `reminder` to the supervisor, then `escalation` to the CS manager."""
    recipient = rules.supervisor_email if stage == "reminder" else rules.manager_email
    return _email(
        f"vetting:{inquiry_id}:approval-{stage}:{round_}",
        str(recipient),
        f"vetting_approval_{stage}",
        inquiry_id,
        inquiry_id=inquiry_id,
        business_name=business_name,
        waited=f"{waited:.1f}",
        timeout=f"{rules.approval_timeout_business_days:g}",
        supervisor=str(rules.supervisor_email),
        link=link,
        queue_link=waiting_for("supervisor"),
    )


def approved(inquiry_id: int, form: NewCustomerInquiry, rep: Person) -> OutgoingEmail:
    """Seed 001: the rep lets the applicant know they are approved and requests their first PO."""
    return _from_rep(
        f"vetting:{inquiry_id}:approved",
        form.email or "",
        "vetting_approved",
        inquiry_id,
        rep,
        division=_division(form),
        **_applicant(form),
    )


def request_info(
    inquiry_id: int, round_: int, form: NewCustomerInquiry, note: str, rep: Person
) -> OutgoingEmail:
    return _from_rep(
        f"vetting:{inquiry_id}:request-info:{round_}",
        form.email or "",
        "vetting_request_info",
        inquiry_id,
        rep,
        note=note.strip() or "Please confirm the details of your form.",
        **_applicant(form),
    )


def decline_reason(assessment: Assessment) -> str | None:
    """The criterion that disqualifies the applicant (the first that failed), if any."""
    for name in DECLINE_REASONS:
        result = assessment.criteria.get(name)
        if result is not None and result.verdict.value == "fail":
            return name
    return None


def where_to_buy(
    division: Division | None, rules: ApprovalPolicy, reason: str | None
) -> list[dict[str, str]]:
    """Where a declined applicant can buy our products: the division's website, then the
    configured channels; never Amazon for an Amazon seller (they are declined for selling there)."""
    channels = [{"name": c.name, "url": str(c.url)} for c in rules.retail_channels]
    if reason == "amazon":
        channels = [c for c in channels if not _is_amazon(c)]
    if division and division.website:
        channels.insert(0, {"name": f"{division.name} website", "url": str(division.website)})
    return channels


def _is_amazon(channel: dict[str, str]) -> bool:
    host = urlsplit(channel["url"]).hostname or ""
    return "amazon" in channel["name"].lower() or "amazon." in host.lower()


def decline(
    inquiry_id: int,
    form: NewCustomerInquiry,
    assessment: Assessment,
    rules: ApprovalPolicy,
    rep: Person,
) -> OutgoingEmail:
    """The decline letter for the reason, with where our products can be bought (`where_to_buy`)."""
    reason = decline_reason(assessment)
    division = _division(form)
    values: dict[str, Any] = {
        **_applicant(form),
        "channels": where_to_buy(division, rules, reason),
        "address": form.address.one_line(),
        "website": form.website or "",
        "division_name": division.name if division else "",
        "division": division,
    }
    if reason == "minimums" and (division is None or not division.minimums.has_figures):
        reason = None
    template = f"vetting_decline_{reason}" if reason else "vetting_decline"
    return _from_rep(
        f"vetting:{inquiry_id}:declined", form.email or "", template, inquiry_id, rep, **values
    )
