"""The mail a monthly evaluation sends: a reminder to a customer close to the next tier, and a
notice to the sales agent of each tier change. Keys are per customer and month: sent once."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import Any

from csflows.models import DeliveryStatus, Model
from csflows.outbox import OutgoingEmail
from csflows.templates import render
from csflows.tiers.evaluation import TierResult
from csflows.tiers.policy import Tier, TierPolicy


def tier_values(tier: Tier) -> dict[str, object]:
    """A tier as the agent's notice reads it."""
    return {"key": tier.key, "name": tier.name, "extras": tier.extras, "rewards": tier.rewards}


def _tier(policy: TierPolicy, key: str | None) -> dict[str, object]:
    tier = policy.tier(key)
    if tier is None:  # a tier since removed from tiers.yaml
        return {"key": key, "name": key or "(none)", "extras": [], "rewards": []}
    return tier_values(tier)


def reminder_values(
    name: str, trailing: float, amount_to_next: float, upcoming: Tier, window_months: int
) -> dict[str, Any]:
    """What the reminder tells the customer, in whole dollars: what they bought (rounded down),
    how much more reaches the rewards (rounded up), the amount to pass, and the rewards; never
    the tier's name, which is ours."""
    assert upcoming.over is not None  # a tier one can be reminded of has an amount
    return {
        "customer_name": name,
        "trailing": Decimal(str(trailing)).to_integral_value(ROUND_FLOOR),
        "amount_to_next": Decimal(str(amount_to_next)).to_integral_value(ROUND_CEILING),
        "threshold": upcoming.over,
        "rewards": upcoming.rewards,
        "window_months": window_months,
    }


def reminder(result: TierResult, as_of: date, policy: TierPolicy) -> OutgoingEmail:
    """Seed 003's reminder "to how close they are to receiving the rewards" (sent once per
    customer and month; the evaluation picks whom: `rules.should_remind`)."""
    upcoming = policy.tier(result.next_tier)
    assert upcoming is not None and result.amount_to_next is not None
    values = reminder_values(
        result.name, result.trailing_12m, result.amount_to_next, upcoming, policy.window_months
    )
    message = render("tier_reminder", **values)
    return OutgoingEmail(
        key=f"tier-reminder:{result.customer_id}:{as_of:%Y-%m}",
        to=result.email,
        subject=message.subject,
        body=message.body,
        template=message.template,
        values=values,
        customer_id=result.customer_id,
    )


def change_notice(result: TierResult, as_of: date, policy: TierPolicy) -> OutgoingEmail | None:
    """The sales agent's notice of a change; None when no address is known for the agent."""
    to = policy.sales_agent_address(result.sales_agent)
    if to is None:
        return None
    up = policy.rank(result.tier) > policy.rank(result.previous_tier)
    values: dict[str, Any] = {
        "direction": "upgrade" if up else "downgrade",
        "customer_id": result.customer_id,
        "customer_name": result.name,
        "division": result.division,
        "sales_agent": result.sales_agent,
        "as_of": as_of.isoformat(),
        "trailing": result.trailing_12m,
        "tier": _tier(policy, result.tier),
        "previous_tier": _tier(policy, result.previous_tier),
        "window_months": policy.window_months,
        "grace_months": policy.grace_months,
    }
    message = render("tier_change", **values)
    return OutgoingEmail(
        key=f"tier-change:{result.customer_id}:{as_of:%Y-%m}",
        to=to,
        subject=message.subject,
        body=message.body,
        template=message.template,
        values=values,
        customer_id=result.customer_id,
    )


class MailCounts(Model):
    """What a batch of tier mail came to: sent now, sent before under the same key, refused for
    good (a bad header), or not delivered yet (retried)."""

    sent: int = 0
    already_sent: int = 0
    refused: int = 0
    undelivered: int = 0

    def delivered(self, status: DeliveryStatus) -> None:
        if status == DeliveryStatus.ALREADY_SENT:
            self.already_sent += 1
        else:
            self.sent += 1
