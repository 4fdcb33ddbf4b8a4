"""Tiered service (seed 003): policy, pure rules over batches, and the store's monthly evaluation."""

from csflows.tiers.policy import Tier, TierPolicy, tier_policy
from csflows.tiers.rules import Standing, TierLadder, applied_tier, should_remind, window

__all__ = [
    "Standing",
    "Tier",
    "TierLadder",
    "TierPolicy",
    "applied_tier",
    "should_remind",
    "tier_policy",
    "window",
]
