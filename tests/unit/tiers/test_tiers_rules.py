"""Seed 003's tier rules: the $100,000 boundary, the window, refunds, reminders, grace periods."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from csflows.templates import render
from csflows.tiers import TierLadder, TierPolicy, applied_tier, should_remind, tier_policy, window
from csflows.tiers.level4 import suggests_level4
from csflows.tiers.notices import reminder_values
from csflows.tiers.rules import add_months, closing_month_end, in_reminder_band


def _three_tiers(grace: int = 3, rewards: tuple[str, ...] = ("Free freight",)) -> TierPolicy:
    return TierPolicy.model_validate(
        {
            "grace_months": grace,
            "tiers": [
                {"key": "standard", "name": "Standard"},
                {"key": "preferred", "name": "Preferred", "over": 50000, "rewards": rewards},
                {
                    "key": "extra_special",
                    "name": "Extra special",
                    "over": 100000,
                    "rewards": rewards,
                },
            ],
        }
    )


@pytest.mark.parametrize(
    ("total", "tier", "next_tier", "to_next", "remind"),
    [
        (100_000_00, "standard", "extra_special", 1, True),  # exactly 100K is not "over the 100K"
        (100_000_01, "extra_special", None, None, False),
        (99_999_99, "standard", "extra_special", 2, True),
        (90_000_00, "standard", "extra_special", 10_000_01, True),  # exactly 10% away
        (89_999_99, "standard", "extra_special", 10_000_02, False),
        (0, "standard", "extra_special", 100_000_01, False),
        (-500_00, "standard", "extra_special", 100_500_01, False),  # refunds exceed orders
    ],
)
def test_shipped_ladder_boundaries(
    total: int, tier: str, next_tier: str | None, to_next: int | None, remind: bool
) -> None:
    standing = TierLadder(tier_policy()).standing("C-1", total)
    assert (standing.tier, standing.next_tier, standing.cents_to_next, standing.remind) == (
        tier,
        next_tier,
        to_next,
        remind,
    )


def test_json_shape_of_a_standing() -> None:
    standing = TierLadder(tier_policy()).standing("C-9", 100_000_00)
    assert standing.as_json() == {
        "customer_id": "C-9",
        "trailing_12m": 100000.0,
        "tier": "standard",
        "next_tier": "extra_special",
        "amount_to_next": 0.01,
        "remind": True,
    }


def test_middle_tier_reminds_of_its_own_next_amount() -> None:
    ladder = TierLadder(_three_tiers())
    assert ladder.standing("c", 45_000_00).remind is True  # within 10% of 50,000
    assert ladder.standing("c", 44_999_99).remind is False
    mid = ladder.standing("c", 60_000_00)
    assert (mid.tier, mid.next_tier, mid.cents_to_next, mid.remind) == (
        "preferred",
        "extra_special",
        40_000_01,
        False,
    )


def test_window_is_the_twelve_months_ending_on_the_date() -> None:
    assert window(date(2026, 10, 31), 12) == (date(2025, 11, 1), date(2026, 10, 31))
    assert window(date(2024, 2, 29), 12) == (date(2023, 3, 1), date(2024, 2, 29))
    assert add_months(date(2026, 3, 31), -1) == date(2026, 2, 28)
    assert closing_month_end(date(2026, 1, 15)) == date(2025, 12, 31)


def test_upgrades_apply_at_once() -> None:
    policy = _three_tiers()
    assert applied_tier("extra_special", "standard", [], policy) == "extra_special"
    assert applied_tier("preferred", "standard", ["standard"] * 5, policy) == "preferred"


def test_downgrade_only_after_the_grace_period() -> None:
    policy = _three_tiers(grace=3)
    top = "extra_special"
    # below for 1, 2, 3 evaluations: kept; the 4th consecutive one below downgrades
    assert applied_tier("standard", top, [], policy) == top
    assert applied_tier("standard", top, ["standard"], policy) == top
    assert applied_tier("standard", top, ["standard", "standard"], policy) == top
    assert applied_tier("standard", top, ["standard"] * 3, policy) == "standard"
    # a month back at the top resets the count
    assert applied_tier("standard", top, ["standard", "standard", top, "standard"], policy) == top
    # down to the highest tier computed in those months, not straight to the bottom
    assert (
        applied_tier("standard", top, ["preferred", "standard", "standard"], policy) == "preferred"
    )


def test_grace_zero_downgrades_at_once() -> None:
    assert applied_tier("standard", "extra_special", [], _three_tiers(grace=0)) == "standard"


def test_no_reminder_of_a_tier_kept_through_grace() -> None:
    policy = _three_tiers()
    near = TierLadder(policy).standing("c", 95_000_00)
    assert should_remind(near, "preferred", policy, orders=5, was_in_band=False) is True
    assert should_remind(near, "extra_special", policy, orders=5, was_in_band=False) is False


def test_a_reminder_goes_on_entering_the_band_not_every_month_there() -> None:
    policy = _three_tiers()
    ladder = TierLadder(policy)
    near, nearer = ladder.standing("c", 95_000_00), ladder.standing("c", 97_000_00)
    assert should_remind(near, "preferred", policy, orders=5, was_in_band=False) is True
    # a month later, still close: it was in the band at the previous evaluation
    was = in_reminder_band(near, "preferred", policy)
    assert was and should_remind(nearer, "preferred", policy, 6, was_in_band=was) is False
    # out of the band (bought less, or in a grace period for the tier), then back: reminded
    assert not in_reminder_band(ladder.standing("c", 80_000_00), "preferred", policy)
    assert not in_reminder_band(near, "extra_special", policy)


def test_a_one_time_buyer_is_never_reminded() -> None:
    """Seed 003: "nothing that will be obvious to the one time customer"."""
    policy = _three_tiers()
    near = TierLadder(policy).standing("c", 95_000_00)
    assert policy.reminder_min_orders == 2
    assert should_remind(near, "preferred", policy, orders=1, was_in_band=False) is False
    assert should_remind(near, "preferred", policy, orders=2, was_in_band=False) is True


def test_no_rewards_configured_no_reminder() -> None:
    policy = _three_tiers(rewards=())
    near = TierLadder(policy).standing("c", 95_000_00)
    assert should_remind(near, "preferred", policy, orders=9, was_in_band=False) is False
    assert tier_policy().tiers[-1].rewards == []  # shipped: none until the business names them


def test_the_reminder_tells_the_customer_the_rewards_in_whole_dollars() -> None:
    policy = _three_tiers()
    values = reminder_values("Harbor Paper Co.", 92_500.75, 7_499.26, policy.tiers[-1], 12)
    message = render("tier_reminder", **values)
    assert message.subject == "You are $7,500 away from our rewards"
    assert "your purchases with us came to $92,500." in message.body
    assert "come to more than $100,000 receive:\n- Free freight\n" in message.body
    assert message.body.startswith("Dear Harbor Paper Co.,")
    assert "Extra special" not in message.body and "extra_special" not in message.body


def test_level4_suggestion_needs_a_line_a_full_window_and_a_level_below_4() -> None:
    lines = {"craft_hobby": Decimal("2000")}
    first = date(2025, 1, 1)
    old = date(2024, 6, 1)
    assert suggests_level4("craft_hobby", 2, 1999_99, old, first, lines) is True
    assert suggests_level4("craft_hobby", 2, 2000_00, old, first, lines) is False
    assert suggests_level4("craft_hobby", 4, 0, old, first, lines) is False  # already Level 4
    assert suggests_level4("craft_hobby", 2, 0, date(2025, 3, 1), first, lines) is False  # new
    assert suggests_level4("craft_hobby", 2, 0, None, first, lines) is False  # no orders at all
    assert suggests_level4("wyla", 2, 0, old, first, lines) is False  # no line: no suggestion
