"""A customer's tier where Customer Service works with them (seed 003: "the more valuable the
customer is, the more individual attention they should receive"): on their tickets, POs and
touchpoints. The tier is the one the monthly evaluation stored (customers.tier); a customer never
evaluated yet (new, or just imported) has the one their trailing purchases reach today. A sender
who is not exactly one known customer has no tier: we say nothing rather than guess."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from email.utils import parseaddr

from sqlalchemy import Connection, func, select

from csflows import store
from csflows.store.tables import CustomerRow
from csflows.tiers.policy import Tier, TierPolicy, tier_policy
from csflows.tiers.rules import TierLadder, window
from csflows.tiers.totals import trailing_totals


def stored_tier(key: str | None, policy: TierPolicy) -> Tier | None:
    """The tier a stored key names; a key since removed from tiers.yaml is base service."""
    if key is None:
        return None
    return policy.tier(key) or policy.base


def customer_tiers(
    customer_ids: Iterable[str], policy: TierPolicy | None = None, today: date | None = None
) -> dict[str, Tier]:
    """Each known customer's tier, by id (customers nobody knows are left out)."""
    policy = policy or tier_policy()
    wanted = sorted(set(customer_ids))
    if not wanted:
        return {}
    with store.session() as s:
        rows = s.execute(
            select(CustomerRow.id, CustomerRow.tier).where(CustomerRow.id.in_(wanted))
        ).all()
        tiers = {cid: tier for cid, key in rows if (tier := stored_tier(key, policy)) is not None}
        never = sorted(cid for cid, key in rows if key is None)
        if never:
            tiers |= _tiers_from_purchases(never, policy, today or date.today(), s.connection())
    return tiers


def _tiers_from_purchases(
    customer_ids: list[str], policy: TierPolicy, today: date, conn: Connection
) -> dict[str, Tier]:
    """What the monthly evaluation would give these customers today (no grace period: they
    have no tier to keep)."""
    first, last = window(today, policy.window_months)
    bought = trailing_totals(
        conn, first, last, policy.counted_statuses, (customer_ids[0], customer_ids[-1])
    )
    ladder = TierLadder(policy)
    out = {}
    for customer_id in customer_ids:
        total = bought[customer_id].trailing_cents if customer_id in bought else 0
        out[customer_id] = policy.tier(ladder.standing(customer_id, total).tier) or policy.base
    return out


def address_of(sender: str) -> str:
    """The bare address, lowercase, of a sender as a ticket keeps it ("Name <a@b>" or "a@b")."""
    return parseaddr(sender)[1].strip().lower()


def sender_tiers(senders: Iterable[str], policy: TierPolicy | None = None) -> dict[str, Tier]:
    """By address (as `address_of` gives it): the tier of the customers writing from it, when
    they are known and share one tier; an address nobody or customers of several tiers use is
    left out."""
    addresses = {a for a in map(address_of, senders) if a}
    if not addresses:
        return {}
    with store.session() as s:
        rows = s.execute(
            select(func.lower(CustomerRow.email), CustomerRow.id).where(
                func.lower(CustomerRow.email).in_(sorted(addresses))
            )
        ).all()
    tiers = customer_tiers((cid for _, cid in rows), policy)
    found: dict[str, set[str]] = {}
    for address, customer_id in rows:
        found.setdefault(address, set()).add(tiers[customer_id].key)
    by_key = {t.key: t for t in tiers.values()}
    return {a: by_key[next(iter(keys))] for a, keys in found.items() if len(keys) == 1}


def sender_tier(sender: str, policy: TierPolicy | None = None) -> Tier | None:
    """One sender's tier (see `sender_tiers`)."""
    return sender_tiers([sender], policy).get(address_of(sender))


def tier_label(tier: Tier | None) -> str:
    """How CS reads a tier: its name and what it adds to base service; "" for no tier."""
    if tier is None:
        return ""
    return f"{tier.name} ({'; '.join(tier.extras)})" if tier.extras else tier.name


def first_in_queue(tier: Tier | None) -> bool:
    """Its tickets stand first in the review queue and the digest."""
    return tier is not None and tier.first
