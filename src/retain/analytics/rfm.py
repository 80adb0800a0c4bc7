"""RFM scores (quintiles 1-5) and the named RFM segments.

Per customer with a purchase up to ``as_of``: ``recency_days`` (days since
the last purchase), ``frequency`` (purchase days) and ``monetary`` (revenue,
net of refunds). Each becomes a score 1..5 by its rank among the customers:
``score = 1 + floor(5 * rank / n)``, where ``rank`` (0-based, ties share the
lowest rank) orders from worst to best (most days since the last purchase,
fewest purchases, least revenue first). Ties always share a score, so a
quintile can hold more or fewer than a fifth of the customers (most
customers who bought once have frequency score 1).

Segments on the recency and frequency scores (the usual RF grid, with the
oldest single buyers split off as *Lost*):

======== ========================== ==========================
R        F                          segment
======== ========================== ==========================
5        4-5                        Champions
3-4      4-5                        Loyal
4-5      2-3                        Potential loyalist
5        1                          New
4        1                          Promising
3        3                          Need attention
3        1-2                        About to sleep
1-2      5                          Can't lose them
1-2      3-4                        At risk
2        1-2                        Hibernating
1        1-2                        Lost
======== ========================== ==========================
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import ibis
import ibis.expr.types as ir
import pandas as pd

from retain.analytics.summary import summary_table
from retain.analytics.tables import to_pandas

SEGMENTS = (
    "Champions",
    "Loyal",
    "Potential loyalist",
    "New",
    "Promising",
    "Need attention",
    "About to sleep",
    "Can't lose them",
    "At risk",
    "Hibernating",
    "Lost",
)
RFM_COLUMNS = (
    "customer_id",
    "recency_days",
    "frequency",
    "monetary",
    "r_score",
    "f_score",
    "m_score",
    "rfm_score",
    "segment",
)


def _score(value: ir.NumericValue, n: ir.IntegerValue) -> ir.IntegerValue:
    """1 + floor(5 * rank / n), ``rank`` 0-based over ``value`` ascending (ties share)."""
    rank = ibis.rank().over(order_by=value)
    return (1 + (rank * 5) // n).cast("int64")


def _score_by_value(s: ir.Table, column: str, *, descending: bool = False) -> ir.Table:
    """``column`` -> its score, as :func:`_score`, for a column of few distinct
    values (days): the rank of a value is the count of smaller ones, read from
    the cumulative counts of its distinct values instead of sorting every row."""
    h = s.group_by(_value=s[column]).aggregate(_n=s.count())
    order = h._value.desc() if descending else h._value
    below = h._n.sum().over(ibis.window(order_by=order, rows=(None, 0))) - h._n
    n = h._n.sum().over(ibis.window())
    return h.select(_value=h._value, _score=(1 + (below * 5) // n).cast("int64"))


def segment(r: ir.IntegerValue, f: ir.IntegerValue) -> ir.StringValue:
    """The named segment of recency score ``r`` and frequency score ``f`` (see the table)."""
    return ibis.cases(
        ((r == 5) & (f >= 4), "Champions"),
        ((r >= 3) & (f >= 4), "Loyal"),
        ((r >= 4) & (f >= 2), "Potential loyalist"),
        (r == 5, "New"),
        (r == 4, "Promising"),
        ((r == 3) & (f == 3), "Need attention"),
        (r == 3, "About to sleep"),
        (f == 5, "Can't lose them"),
        (f >= 3, "At risk"),
        (r == 2, "Hibernating"),
        else_="Lost",
    )


def rfm_table(
    orders: Any, as_of: date | datetime | str, summary: ir.Table | None = None
) -> ir.Table:
    """RFM scores as an Ibis expression (columns :data:`RFM_COLUMNS`).

    ``summary``: an already built :func:`~retain.analytics.summary_table` of
    the same orders and ``as_of`` (saves computing it again).
    """
    s = summary if summary is not None else summary_table(orders, as_of)
    s = s.select(
        "customer_id",
        recency_days=s.days_since_last_order,
        frequency=s.purchase_days,
        monetary=s.revenue,
    )
    r = _score_by_value(s, "recency_days", descending=True)
    f = _score_by_value(s, "frequency")
    s = s.mutate(m_score=_score(s.monetary, s.count()))
    s = s.join(r, s.recency_days == r._value).rename(r_score="_score").drop("_value")
    s = s.join(f, s.frequency == f._value).rename(f_score="_score").drop("_value")
    s = s.mutate(
        rfm_score=s.r_score.cast("string") + s.f_score.cast("string") + s.m_score.cast("string"),
        segment=segment(s.r_score, s.f_score),
    )
    return s.select(*RFM_COLUMNS)


def rfm_scores(orders: Any, as_of: date | datetime | str) -> pd.DataFrame:
    """RFM scores and segments per customer with a purchase up to ``as_of`` (pandas).

    ``orders`` as for :func:`~retain.analytics.customer_summary`. Columns:
    ``customer_id``, ``recency_days``, ``frequency`` (purchase days),
    ``monetary`` (net revenue, unit of ``amount``), ``r_score``, ``f_score``,
    ``m_score`` (1..5, 5 best), ``rfm_score`` (e.g. ``"545"``) and ``segment``
    (one of :data:`SEGMENTS`).
    """
    return to_pandas(rfm_table(orders, as_of).order_by("customer_id"))


def segment_counts(scores: pd.DataFrame) -> pd.DataFrame:
    """Customers, share in % and mean R/F/M per segment, in the order of :data:`SEGMENTS`."""
    g = scores.groupby("segment")
    out = pd.DataFrame(
        {
            "customers": g.size(),
            "mean_recency_days": g.recency_days.mean().round(1),
            "mean_frequency": g.frequency.mean().round(2),
            "mean_monetary": g.monetary.mean().round(2),
        }
    ).reindex(list(SEGMENTS))
    out["customers"] = out["customers"].fillna(0).astype(int)
    out.insert(1, "share_pct", (100 * out.customers / max(len(scores), 1)).round(1))
    return out.reset_index(names="segment")
