"""Retention measures: the interval view, returning-customer and repeat purchase rates,
time to second purchase.

All are defined on purchases (see :mod:`retain.analytics.summary`), not on
record creation: a customer is *new* in the period of his first purchase.

Interval view, per period (calendar month, or ISO week starting Monday):

- ``active``: customers with a purchase in the period;
- ``new``: their first purchase is in the period;
- ``returning``: bought in the period and in the one before;
- ``resurrecting``: bought in the period, not in the one before, but earlier;
- ``dormant``: bought in the period before, not in this one;
- ``returning_rate``: (returning + resurrecting) / active, the share of the
  period's buyers who had bought before (the returning-customer rate);
- ``quick_ratio``: (new + resurrecting) / dormant (growth over churn; NaN
  when nobody went dormant).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import ibis
import numpy as np
import pandas as pd

from retain.analytics.summary import EPOCH, purchase_days
from retain.errors import InvalidInputError

PERIODS = ("month", "week")
INTERVAL_COLUMNS = (
    "period",
    "active",
    "new",
    "returning",
    "resurrecting",
    "dormant",
    "returning_rate",
    "quick_ratio",
)
#: buckets of days to the second purchase: (label, lowest, highest) inclusive
SECOND_PURCHASE_BUCKETS = (
    ("1-7", 1, 7),
    ("8-30", 8, 30),
    ("31-60", 31, 60),
    ("61-90", 61, 90),
    ("91-180", 91, 180),
    ("181-365", 181, 365),
    (">365", 366, None),
)


def _label(index: int, period: str) -> str:
    if period == "month":
        return f"{index // 12:04d}-{index % 12 + 1:02d}"
    monday = EPOCH + pd.Timedelta(days=index * 7 - 3).to_pytimedelta()
    return monday.isoformat()


def retention_intervals(
    orders: Any, as_of: date | datetime | str, period: str = "month"
) -> pd.DataFrame:
    """The interval view per period up to the one holding ``as_of`` (columns
    :data:`INTERVAL_COLUMNS`); ``period`` is the month ``YYYY-MM`` or the
    Monday starting the week.
    """
    if period not in PERIODS:
        raise InvalidInputError(f"period must be 'month' or 'week', not {period!r}")
    p = purchase_days(orders, as_of)
    d = p.days
    if period == "month":
        idx = d.day.year() * 12 + d.day.month() - 1
        end = p.as_of.year * 12 + p.as_of.month - 1
    else:
        idx = (d.eday + 3) // 7
        end = ((p.as_of - EPOCH).days + 3) // 7
    cp = d.mutate(p=idx).select("customer_id", "p").distinct()
    w = ibis.window(group_by=cp.customer_id, order_by=cp.p)
    cp = cp.mutate(prev=cp.p.lag().over(w), next=cp.p.lead().over(w))
    kind = ibis.cases(
        (cp.prev.isnull(), "new"), (cp.prev == cp.p - 1, "returning"), else_="resurrecting"
    )
    cp = cp.mutate(kind=kind, gone=cp.next.isnull() | (cp.next > cp.p + 1))
    counts = cp.group_by(["p", "kind"]).aggregate(n=cp.count()).to_pandas()
    gone = cp.filter(cp.gone)
    gone = gone.group_by("p").aggregate(n=gone.count()).to_pandas()
    if counts.empty:
        return pd.DataFrame(columns=list(INTERVAL_COLUMNS))
    wide = counts.pivot_table(index="p", columns="kind", values="n", aggfunc="sum", fill_value=0)
    start = int(wide.index.min())
    frame = wide.reindex(
        index=range(start, end + 1), columns=["new", "returning", "resurrecting"], fill_value=0
    )
    dormant = gone.set_index("p")["n"]
    dormant.index = dormant.index + 1  # gone after p: dormant in p + 1
    frame.columns.name = None
    frame["dormant"] = dormant.reindex(frame.index, fill_value=0)
    frame["active"] = frame.new + frame.returning + frame.resurrecting
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = (frame.returning + frame.resurrecting) / frame.active.replace(0, np.nan)
        quick = (frame.new + frame.resurrecting) / frame.dormant.replace(0, np.nan)
    frame["returning_rate"] = rate.round(4)
    frame["quick_ratio"] = quick.round(4)
    frame = frame.astype({c: int for c in ("new", "returning", "resurrecting", "dormant")})
    frame.insert(0, "period", [_label(int(i), period) for i in frame.index])
    return frame.reset_index(drop=True)[list(INTERVAL_COLUMNS)]


def repeat_purchase_rate(orders: Any, as_of: date | datetime | str) -> float:
    """Share (0..1) of customers with a purchase up to ``as_of`` who bought on two days or more.

    NaN when nobody bought.
    """
    p = purchase_days(orders, as_of)
    per = p.days.group_by("customer_id").aggregate(n=p.days.count())
    row = per.aggregate(buyers=per.count(), repeat=(per.n >= 2).sum()).to_pandas().iloc[0]
    buyers = int(row["buyers"])
    return float(row["repeat"]) / buyers if buyers else float("nan")


def time_to_second_purchase(orders: Any, as_of: date | datetime | str) -> pd.DataFrame:
    """Days from the first to the second purchase day of every customer with two or more
    (``customer_id``, ``days``), up to ``as_of``."""
    p = purchase_days(orders, as_of)
    d = p.days
    w = ibis.window(group_by=d.customer_id, order_by=d.day)
    d = d.mutate(k=ibis.row_number().over(w))
    second = d.filter(d.k == 1).select("customer_id", days=d.gap.cast("int64"))
    return second.order_by("customer_id").to_pandas()


def second_purchase_distribution(days: pd.DataFrame) -> pd.DataFrame:
    """:func:`time_to_second_purchase` in buckets: ``bucket``, ``customers``, ``share_pct``,
    ``cumulative_pct``."""
    values = days["days"].to_numpy()
    rows = []
    for label, lo, hi in SECOND_PURCHASE_BUCKETS:
        mask = (values >= lo) & (values <= hi) if hi is not None else values >= lo
        rows.append({"bucket": label, "customers": int(mask.sum())})
    out = pd.DataFrame(rows)
    total = max(len(values), 1)
    out["share_pct"] = (100 * out.customers / total).round(1)
    out["cumulative_pct"] = (100 * out.customers.cumsum() / total).round(1)
    return out
