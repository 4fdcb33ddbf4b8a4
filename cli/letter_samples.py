"""Sample values for every letter of `config/letters.yaml`, as `csflows letters preview` renders
them: the team's own config (people, divisions, approval and tier policy, the company's name,
the Prefect UI's address), and a made-up customer, order and run for what config cannot give.
They read each procedure's policy, so they live above the procedures, beside the command that
shows them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from csflows.divisions import divisions
from csflows.errors import DivisionNotFound
from csflows.links import flow_run_link, run_form, waiting_for
from csflows.models import Division
from csflows.people import Person, Role, people
from csflows.tiers.notices import reminder_values, tier_values
from csflows.tiers.policy import Tier, tier_policy
from csflows.tiers.service import tier_label
from csflows.triage.notices import open_tickets_link
from csflows.vetting.letters import where_to_buy
from csflows.vetting.policy import approval_policy

_CUSTOMER = {"customer_name": "Bright Crafts Co.", "customer_id": "C-1042"}
_SAMPLE_RUN = "7f1c0e52-1b0e-4d8e-9a57-2f7d9d3c6a10"  # a made-up flow run and deployment
_SAMPLE_DEPLOYMENT = "0b8f5c1e-4a51-4c39-9d8e-2f1c7e3a9b10"


def _person(role: Role) -> Person:
    """The first person of people.yaml with `role` (the supervisor when nobody has it)."""
    team = people()
    return next(iter(team.with_role(role)), team.supervisor)


def _applicant() -> dict[str, str]:
    """A made-up applicant, and the team's first rep, who signs the letters to them."""
    return {
        "business_name": "Harbor Paper Co.",
        "contact_name": "Jordan Lee",
        "rep_name": _person(Role.REP).name,
    }


def _agent() -> dict[str, str]:
    """The team's first sales agent, as the retention letters name them."""
    agent = _person(Role.SALES_AGENT)
    return {
        "agent_name": agent.name,
        "agent_email": str(agent.email),
        "agent_phone": agent.phone or "",
    }


def _links(role: str = "supervisor") -> dict[str, str]:
    """A run's page and the Runs page waiting for `role`, on the team's Prefect UI."""
    return {"link": flow_run_link(_SAMPLE_RUN), "queue_link": waiting_for(role)}


def _division(key: str) -> Division:
    """The division `key` of divisions.yaml, else its first: a team's own divisions preview too."""
    catalog = divisions()
    try:
        return catalog.get(key)
    except DivisionNotFound:
        return catalog.divisions[0]


def _below_minimum(key: str) -> dict[str, Any]:
    """A made-up order, in dollars and cents, about a fifth below the division's configured
    minimum order ($350 when it has none)."""
    minimum = _division(key).minimums.order_amount or Decimal(350)
    total = (minimum * Decimal("0.8") + Decimal("0.50")).quantize(Decimal("0.01"))
    return {"minimum": minimum, "total": total, "shortfall": minimum - total}


def _channels(reason: str | None = None) -> list[dict[str, str]]:
    """Where an applicant to Craft & Hobby (or the first division) declined for `reason` is told
    our products sell."""
    return where_to_buy(_division("craft_hobby"), approval_policy(), reason)


# Shown in the previews while tiers.yaml names no reward (then no reminder is sent at all).
_SAMPLE_REWARDS = ["Free freight on every order (a sample: the business has named no reward yet)"]


def _tier(index: int) -> Tier:
    """A tier of `config/tiers.yaml` (0 = base, -1 = the top), with sample rewards if it has none."""
    tier = tier_policy().tiers[index]
    return (
        tier
        if tier.rewards or not tier.over
        else tier.model_copy(update={"rewards": _SAMPLE_REWARDS})
    )


SAMPLES: dict[str, Callable[[], dict[str, Any]]] = {
    "level4_craft_hobby": lambda: {
        **_CUSTOMER,
        "po_number": "4512",
        "minimums": _division("craft_hobby").minimums,
    },
    "level4_po_answer": lambda: {
        **_CUSTOMER,
        "po_number": "4515",
        "division": _division("craft_hobby"),
        "answer": "held",
        **_below_minimum("craft_hobby"),
    },
    "level4_floating_luxuries": lambda: {
        **_CUSTOMER,
        "po_number": "4513",
        "division": _division("floating_luxuries"),
    },
    "order_minimums": lambda: {
        **_CUSTOMER,
        "po_number": "4514",
        "division": _division("craft_hobby"),
        "minimums": _division("craft_hobby").minimums,
        **_below_minimum("craft_hobby"),
    },
    "first_po_minimums": lambda: {
        "customer_name": _applicant()["business_name"],
        "po_number": "PO-100",
        "division": _division("craft_hobby"),
        "minimums": _division("craft_hobby").minimums,
        "minimum": Decimal(350),
        "total": Decimal(100),
        "shortfall": Decimal(250),
    },
    "po_unknown_sender": lambda: {
        "sender": "Buyer <buyer@unknown-shop.example>",
        "po_number": "PO-7781",
        "total": Decimal("1240.00"),
        "subject": "New order",
        "problems": [],
        "body": "Please find our PO attached.",
    },
    "po_supervisor_review": lambda: {
        **_CUSTOMER,
        **_links(),
        "division_name": _division("cop").name,
        "level": 3,
        "tier": tier_label(_tier(-1)),
        "sender": "Buyer <buyer@deskdepot.example>",
        "po_number": "PO-7790",
        "total": Decimal("212.40"),
        "subject": "PO-7790",
        "reason": f"Level 3, {_division('cop').name}: this customer is subject to the "
        f"{_division('cop').name} order minimums, but the division's minimum order is not "
        "configured",
    },
    "ticket_assigned": lambda: {
        "person_name": _person(Role.QUOTES).name,
        "ticket_id": 118,
        "ticket_type": "QUOTE - Request for Quote",
        "sender": "Buyer <buyer@hobbyhaven.example>",
        "service_tier": tier_label(_tier(-1)),
        "subject": "RFQ: 500 scrapbook albums",
        "first_lines": "Please quote 500 12x12 albums, delivery in March.",
        "link": open_tickets_link(),
    },
    "ticket_digest": lambda: {
        "person_name": _person(Role.QUOTES).name,
        "day": "2026-12-01",
        "tickets": [
            {
                "id": 118,
                "type": "QUOTE - Request for Quote",
                "sender": "buyer@hobbyhaven.example",
                "tier": _tier(-1).name,
                "subject": "RFQ: 500 scrapbook albums",
                "since": "2026-11-30",
            },
            {
                "id": 96,
                "type": "Question",
                "sender": "buyer@deskdepot.example",
                "tier": "",
                "subject": "Catalog for spring",
                "since": "2026-11-27",
            },
        ],
        "link": open_tickets_link(),
    },
    "new_account_reply": lambda: {
        "customer_name": "Jordan Lee",
        "rep_name": _person(Role.REP).name,
        "division": _division("sulyn"),
        "form_name": "New Customer Inquiry Form.pdf",
    },
    "vetting_incomplete": lambda: {
        **_applicant(),
        "missing": [
            {"label": "Website", "reason": "is missing"},
            {"label": "Phone", "reason": "is not a valid phone number"},
        ],
    },
    "vetting_return_by_rep": lambda: {
        **_links("rep"),
        "rep_name": _person(Role.REP).name,
        "inquiry_id": 17,
        "business_name": "Harbor Paper Co.",
        "contact_name": "Jordan Lee",
        "phone": "+1 207 555 0134",
        "missing": [{"label": "Email", "reason": "is not a valid email address"}],
    },
    "vetting_key_form": lambda: {
        **_links("rep"),
        "rep_name": _person(Role.REP).name,
        "inquiry_id": 17,
        "business_name": "Harbor Paper Co.",
        "filename": "inquiry-form-scan.png",
        "how": "by OCR (Tesseract) from the picture",
        "unread": ["Phone", "Postal (ZIP) code"],
    },
    "vetting_supervisor_review": lambda: {
        **_applicant(),
        **_links(),
        "inquiry_id": 17,
        "division": _division("craft_hobby").name,
        "recommendation": "approve",
        "criteria": [
            "Amazon: pass (no Amazon seller account on the form or the website)",
            "Address: pass (a commercial building)",
        ],
    },
    "vetting_approval_reminder": lambda: {
        **_applicant(),
        **_links(),
        "inquiry_id": 17,
        "waited": 3,
        "timeout": 5,
    },
    "vetting_approval_escalation": lambda: {
        **_applicant(),
        **_links(),
        "inquiry_id": 17,
        "waited": 5,
        "timeout": 5,
        "supervisor": str(approval_policy().supervisor_email),
    },
    "vetting_request_info": lambda: {
        **_applicant(),
        "note": f"Which of our {_division('craft_hobby').name} product lines would you like "
        "to carry?",
    },
    "vetting_approved": lambda: {**_applicant(), "division": _division("craft_hobby")},
    "vetting_decline": lambda: {**_applicant(), "channels": _channels()},
    "vetting_decline_amazon": lambda: {**_applicant(), "channels": _channels("amazon")},
    "vetting_decline_address": lambda: {
        **_applicant(),
        "channels": _channels("address"),
        "address": "12 Elm Street, Springfield, IL 62701",
    },
    "vetting_decline_website": lambda: {**_applicant(), "website": "https://harborpaper.example"},
    "vetting_decline_products": lambda: {
        **_applicant(),
        "division_name": _division("craft_hobby").name,
    },
    "vetting_decline_minimums": lambda: {
        **_applicant(),
        "channels": _channels("minimums"),
        "division": _division("craft_hobby"),
    },
    "retention_welcome_email": lambda: {**_CUSTOMER, **_agent(), "cycle": 1},
    "retention_welcome_sms": lambda: {**_CUSTOMER, **_agent(), "cycle": 1},
    "retention_checkin_email": lambda: {**_CUSTOMER, **_agent()},
    "retention_checkin_sms": lambda: {**_CUSTOMER, **_agent()},
    "retention_customer_reply": lambda: {
        **_CUSTOMER,
        **_agent(),
        "phone": "+1 312 555 0142",
        "email": "buyer@brightcrafts.example",
        "channel": "SMS",
        "month": 2,
        "cycle": 1,
        "reply": "All good, but the last carton of albums came two days late.",
        "ticket_id": 121,
    },
    "retention_agent_task": lambda: {
        **_CUSTOMER,
        **_agent(),
        "kind": "visit",
        "due": "2026-12-08",
        "cycle": 1,
        "step": "two weeks later - visit the client",
        "phone": "+1 312 555 0142",
        "address": "200 W Madison St, Chicago, IL 60606",
        "touchpoint_id": 311,
        "tier": tier_label(_tier(-1)),
        "outcome_link": run_form(_SAMPLE_DEPLOYMENT, {"touchpoint_id": 311}),
    },
    "retention_negative_feedback": lambda: {
        **_CUSTOMER,
        **_agent(),
        "source": "phone call",
        "recorded_by": _agent()["agent_name"],
        "notes": "Two cartons arrived damaged.",
        "visit_on": "2026-12-07",
        "visit_at": "Monday 2026-12-07 07:00 CST",
        "visit_by": "Monday 2026-12-07 08:00 CST",
        "outside_hours": True,
        "within_hours": 48,
        "cycle": 2,
    },
    "retention_escalation": lambda: {
        **_CUSTOMER,
        **_agent(),
        "kind": "call",
        "due": "2026-12-01",
        "cycle": 1,
        "step": "a week later - phone call and feedback",
        "overdue_hours": 16,
        "touchpoint_id": 298,
    },
    "retention_monthly_report": lambda: {
        "month": "2026-11",
        "headline": "Meetings held: 31 of the 50 required (19 short).\n"
        "New accounts won: 12 of the 30 required (18 short).",
        "capacity_per_agent": 40,
        "table": f"agent       new accounts  meetings\n{_agent()['agent_name']}   12            31",
        "capacity_table": f"agent       planned\n{_agent()['agent_name']}   44",
        "capacity_summary": "No agent's planned meetings exceed capacity in the months shown.",
    },
    "tier_reminder": lambda: reminder_values(
        str(_CUSTOMER["customer_name"]), 92_500.0, 7_500.01, _tier(-1), 12
    ),
    "tier_change": lambda: {
        **_CUSTOMER,
        "direction": "upgrade",
        "division": _division("craft_hobby").name,
        "sales_agent": _agent()["agent_name"],
        "as_of": date(2026, 12, 1).isoformat(),
        "trailing": Decimal("100250"),
        "tier": tier_values(_tier(-1)),
        "previous_tier": tier_values(_tier(0)),
        "window_months": 12,
        "grace_months": 3,
    },
}
