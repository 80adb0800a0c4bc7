"""The priority of a new case, from what the customer is worth to the business.

The rule (points, then a priority), explainable per case:

- value: the customer's rank among buying customers by CLV when a CLV is
  stored, else by net revenue (gross minus refunds): top 10% +2, above the
  median +1;
- loyalty: stage ``loyal``, or at least ``loyal_orders`` purchases (default 3) +1;
- at risk: stage ``lapsed``, or P(alive) fell by at least 0.1 since the
  previous estimate +1;
- no purchase yet (a prospect) -1.

Points map to a priority: -1 or less ``low``, 0 ``normal``, 1-2 ``high``,
3 or more ``urgent``. So a loyal top-10% customer is urgent, a one-off
buyer below the median is normal and a prospect is low.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

LOYAL_ORDERS = 3
TOP_SHARE = 0.9
MEDIAN = 0.5
P_ALIVE_DROP = 0.1


@dataclass(frozen=True)
class CustomerValue:
    """What is known about a customer's value when a case opens.

    ``revenue_minor``: net revenue in minor units of ``currency``;
    ``orders``: purchases; ``value_rank``: share (0-1) of the other buying
    customers whose value (CLV if stored, else revenue) is below this
    customer's, None when the customer has not bought or is the only buyer;
    ``value_band`` (``top_10``, ``above_median``, ``below_median``) says the
    same more coarsely and wins when both are given (the store computes it
    from cached cut-offs, :func:`value_cuts`); ``clv``, ``stage``,
    ``p_alive`` and ``p_alive_before`` are used when stored, else None.
    """

    revenue_minor: int = 0
    currency: str | None = None
    orders: int = 0
    value_rank: float | None = None
    value_band: str | None = None
    clv: float | None = None
    stage: str | None = None
    p_alive: float | None = None
    p_alive_before: float | None = None


@dataclass(frozen=True)
class Priority:
    """A priority and the reasons for it, e.g. ``high: top 10% by revenue; loyal (5 orders)``."""

    level: str
    points: int
    reasons: tuple[str, ...]

    @property
    def reason(self) -> str:
        """One line a person can read."""
        why = "; ".join(self.reasons) if self.reasons else "no value signals"
        return f"{self.level} ({self.points:+d} points): {why}"


def priority_for(value: CustomerValue, *, loyal_orders: int = LOYAL_ORDERS) -> Priority:
    """The priority of a case from ``value`` by the rule in this module's docstring."""
    points = 0
    reasons: list[str] = []
    basis = "CLV" if value.clv is not None else "revenue"
    amount = _money(value)
    if value.orders <= 0 and value.clv is None:
        points -= 1
        reasons.append("no purchase yet (-1)")
    else:
        band = value.value_band or band_for_rank(value.value_rank)
        if band == "top_10":
            points += 2
            reasons.append(f"top 10% by {basis}{amount} (+2)")
        elif band == "above_median":
            points += 1
            reasons.append(f"above the median by {basis}{amount} (+1)")
        elif band == "below_median":
            reasons.append(f"below the median by {basis}{amount} (0)")
    stage = (value.stage or "").lower()
    if stage == "loyal" or value.orders >= loyal_orders:
        points += 1
        reasons.append(
            f"loyal ({value.orders} orders, >= {loyal_orders}) (+1)"
            if stage != "loyal"
            else "loyal stage (+1)"
        )
    dropped = (
        value.p_alive is not None
        and value.p_alive_before is not None
        and value.p_alive_before - value.p_alive >= P_ALIVE_DROP
    )
    if stage == "lapsed" or dropped:
        points += 1
        reasons.append(
            f"P(alive) falling {value.p_alive_before:.2f} -> {value.p_alive:.2f} (+1)"
            if dropped
            else "lapsed stage (+1)"
        )
    return Priority(level=level_for(points), points=points, reasons=tuple(reasons))


def band_for_rank(rank: float | None) -> str | None:
    """``top_10`` (rank >= 0.9), ``above_median`` (>= 0.5), ``below_median``, or None."""
    if rank is None:
        return None
    if rank >= TOP_SHARE:
        return "top_10"
    return "above_median" if rank >= MEDIAN else "below_median"


@dataclass(frozen=True)
class ValueCuts:
    """Cut-offs of the value distribution of buying customers (minor units or CLV).

    A customer with value ``x`` ranks ``share`` or higher among the *other*
    ``buyers - 1`` buyers when at least ``ceil(share * (buyers - 1))`` of them
    are below ``x``, that is when ``x`` exceeds the value at that position of
    the sorted list: ``top_cut`` for 90%, ``median_cut`` for 50% (None: every
    buyer qualifies).
    """

    buyers: int
    median_cut: float | None
    top_cut: float | None

    def band(self, x: float) -> str | None:
        """The value band of a buyer whose value is ``x`` (None when the only buyer)."""
        if self.buyers < 2:
            return None
        if self.top_cut is None or x > self.top_cut:
            return "top_10"
        if self.median_cut is None or x > self.median_cut:
            return "above_median"
        return "below_median"


def value_cuts(values: Sequence[float]) -> ValueCuts:
    """The :class:`ValueCuts` of the values of all buying customers (one value each)."""
    ordered = sorted(values)
    n = len(ordered)

    def cut(share: float) -> float | None:
        k = math.ceil(share * (n - 1) - 1e-9)
        return float(ordered[k - 1]) if k >= 1 else None

    return ValueCuts(buyers=n, median_cut=cut(MEDIAN), top_cut=cut(TOP_SHARE))


def level_for(points: int) -> str:
    """``low``, ``normal``, ``high`` or ``urgent`` for a number of points."""
    if points <= -1:
        return "low"
    if points == 0:
        return "normal"
    if points <= 2:
        return "high"
    return "urgent"


def _money(value: CustomerValue) -> str:
    if value.clv is not None:
        return f" ({value.clv:,.2f})"
    if value.currency:
        return f" ({value.currency} {value.revenue_minor / 100:,.2f})"
    return ""
