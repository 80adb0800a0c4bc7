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

from retain.analytics.summary import NO_CATEGORY, Purchases

#: rounding before ``ceil`` so that engines agreeing to 1e-6 give the same days
_DIGITS = 6


def category_gaps(purchases: Purchases, config: dict[str, Any]) -> ir.Table:
    """Per product category: ``category``, ``gaps`` (count), ``gap_days`` (the quantile)."""
    d = purchases.rows
    g = d.filter(d.gap.notnull() & (d.prev_code != NO_CATEGORY))
    q = float(config["gap_quantile"])
    per = g.group_by(code=g.prev_code).aggregate(gaps=g.count(), gap_days=g.gap.quantile(q))
    names = purchases.categories
    per = per.join(names, per.code == names.code)
    return per.select("category", "gaps", "gap_days")


def overall_gap(purchases: Purchases, config: dict[str, Any]) -> ir.Table:
    """One row: ``_all_gap``, the quantile over all gaps (NULL when there is no repeat purchase)."""
    d = purchases.rows
    g = d.filter(d.gap.notnull())
    return g.aggregate(_all_gap=g.gap.quantile(float(config["gap_quantile"])))


def gap_days(value: ir.NumericValue, config: dict[str, Any]) -> ir.IntegerValue:
    """A quantile of gaps as whole days: rounded up, at least ``min_gap_days``."""
    days = value.cast("float64").round(_DIGITS).ceil().cast("int64")
    return ibis.greatest(days, int(config["min_gap_days"]))
