"""The expected repurchase gap, learned from the business's own purchases.

For every product category, the ``gap_quantile`` (default 0.8) of the gaps
between a customer's consecutive purchase days, the gap counted for the
category bought on the earlier day ("after shoes, the next purchase comes
within a quarter"). A category with fewer than ``min_category_gaps`` gaps
uses the quantile over all categories; a business without any repeat
purchase uses ``default_gap_days``. A customer with at least
``own_history_min_gaps`` gaps of his own uses the same quantile of his own
gaps. Gaps are whole days, rounded up, at least ``min_gap_days``.
"""

from __future__ import annotations

from typing import Any

import ibis
import ibis.expr.types as ir
import pandas as pd

from retain.analytics.summary import Purchases

#: rounding before ``ceil`` so that engines agreeing to 1e-6 give the same days
_DIGITS = 6


def category_gaps(purchases: Purchases, config: dict[str, Any]) -> ir.Table:
    """Per product category: ``category``, ``gaps`` (count), ``gap_days`` (the quantile).

    One row has ``category`` NULL: the quantile over all gaps (the fallback).
    """
    d = purchases.days
    g = d.filter(d.gap.notnull())
    q = float(config["gap_quantile"])
    per = g.group_by(category=g.prev_category).aggregate(gaps=g.count(), gap_days=g.gap.quantile(q))
    per = per.filter(per.category.notnull())
    overall = g.aggregate(gaps=g.count(), gap_days=g.gap.quantile(q)).mutate(
        category=ibis.null("string")
    )
    return per.union(overall.select("category", "gaps", "gap_days"))


def gap_days(value: ir.NumericValue, config: dict[str, Any]) -> ir.IntegerValue:
    """A quantile of gaps as whole days: rounded up, at least ``min_gap_days``."""
    days = value.cast("float64").round(_DIGITS).ceil().cast("int64")
    return ibis.greatest(days, int(config["min_gap_days"]))


def category_gap_frame(purchases: Purchases, config: dict[str, Any]) -> pd.DataFrame:
    """:func:`category_gaps` run, with ``expected_gap_days`` and ``source`` (pandas).

    ``source`` is ``category`` when the category has enough gaps, ``all``
    when it falls back to the quantile over all categories.
    """
    t = category_gaps(purchases, config)
    frame = t.to_pandas()
    overall = frame[frame.category.isna()]
    fallback = float(config["default_gap_days"])
    all_gap = float(overall.gap_days.iloc[0]) if len(overall) and overall.gaps.iloc[0] else None
    rows = []
    for row in frame[frame.category.notna()].itertuples():
        enough = row.gaps >= config["min_category_gaps"]
        rows.append(
            {
                "category": row.category,
                "gaps": int(row.gaps),
                "quantile_days": float(row.gap_days),
                "source": "category" if enough else "all",
            }
        )
    out = pd.DataFrame(rows, columns=["category", "gaps", "quantile_days", "source"])
    out.attrs["all_quantile_days"] = all_gap if all_gap is not None else fallback
    return out.sort_values("category").reset_index(drop=True)
