"""Money as people read it: with its currency and thousands separators, in one place.

USD is the business's currency: the seeds write "$2,000", and no config names another.
"""

from __future__ import annotations

from decimal import Decimal

SYMBOL = "$"  # USD


def usd(amount: Decimal | int | float | str, *, cents: bool = True) -> str:
    """`$1,234.50` (gates, forms, audit notes); with `cents=False` a whole amount drops them,
    `$2,000`, as the seeds and the letters write money."""
    value = Decimal(str(amount))
    sign = "-" if value < 0 else ""
    value = abs(value)
    if not cents and value == value.to_integral_value():
        return f"{sign}{SYMBOL}{value:,.0f}"
    return f"{sign}{SYMBOL}{value:,.2f}"
