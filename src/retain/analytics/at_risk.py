"""Revenue at risk: the yearly spend of loyal customers who are lapsing."""

from __future__ import annotations

from typing import Any

import pandas as pd


def revenue_at_risk(stages: pd.DataFrame, loyal_purchases: int, currency: str) -> dict[str, Any]:
    """Yearly spend of lapsing loyal customers (lapsed, with ``loyal_purchases`` or more).

    ``stages``: the frame of :func:`~retain.analytics.customer_stages`. A
    customer's yearly spend is his net revenue (revenue minus refunds) divided
    by the years from his first to his last order (at least one year), in minor
    units of ``currency``. Returns ``customers``, ``yearly_minor``, ``currency``.
    """
    lapsing = stages[(stages["stage"] == "lapsed") & (stages["purchases"] >= loyal_purchases)]
    if lapsing.empty:
        return {"customers": 0, "yearly_minor": 0, "currency": currency}
    first = lapsing["first_order_date"].astype("datetime64[ns]")
    last = lapsing["last_order_date"].astype("datetime64[ns]")
    years = ((last - first).dt.days / 365.25).clip(lower=1.0)
    net = lapsing["revenue"].fillna(0) - lapsing["refunds"].fillna(0)
    return {
        "customers": len(lapsing),
        "yearly_minor": round(float((net / years).sum())),
        "currency": currency,
    }
