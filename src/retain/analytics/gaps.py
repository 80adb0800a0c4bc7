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
    """Per product category: ``category``, ``gaps`` (count), ``gap_days`` (the quantile);
    per as-of day (its ``_as_of_eday`` first) when the purchases have several."""
    keys = purchases.keys
    h = _histogram(purchases)
    h = h.filter(h.prev_code != NO_CATEGORY)
    per = gap_quantile(h, [*keys, "prev_code"], float(config["gap_quantile"]))
    names = purchases.categories
    per = per.join(names, per.prev_code == names.code)
    return per.select(*keys, "category", "gaps", "gap_days")


def overall_gap(purchases: Purchases, config: dict[str, Any]) -> ir.Table:
    """``_all_gap``, the quantile over all gaps (NULL when there is no repeat purchase):
    one row, or one per as-of day (``_as_of_eday``, days with a gap only)."""
    keys = purchases.keys
    h = _histogram(purchases)
    h = h.group_by([*keys, "gap"]).aggregate(n=h.n.sum())
    q = gap_quantile(h, keys, float(config["gap_quantile"]))  # one row, NULL without any gap
    return q.select(*keys, _all_gap=q.gap_days)


def _histogram(purchases: Purchases) -> ir.Table:
    """How many gaps of each length follow each category: [_as_of_eday,] prev_code, gap, n."""
    d = purchases.dated_rows
    g = d.filter(d.gap.notnull())
    return g.group_by([*purchases.keys, "prev_code", "gap"]).aggregate(n=g.count())


def gap_quantile(hist: ir.Table, by: list[str], q: float) -> ir.Table:
    """The ``q`` quantile of the gaps of a histogram (``gap``, ``n``), per group of ``by``.

    The continuous quantile of the ``gaps`` sorted values (``quantile_cont``,
    ``percentile_cont``): the value at position ``p = (gaps - 1) * q``,
    interpolated linearly between the values at ``floor(p)`` and the next.
    Read from the histogram's cumulative counts, so that the gaps (millions)
    are never sorted, only their few distinct lengths. Columns: ``by``,
    ``gaps``, ``gap_days`` (float).
    """
    keys = [hist[c] for c in by]
    cumulative = ibis.window(group_by=keys, order_by=hist.gap, rows=(None, 0))
    h = hist.mutate(_end=hist.n.sum().over(cumulative))
    totals = h.group_by(by).aggregate(gaps=h.n.sum()) if by else h.aggregate(gaps=h.n.sum())
    pos = (totals.gaps - 1).cast("float64") * q
    totals = totals.mutate(_pos=pos, _lo=pos.floor().cast("int64"))
    j = h.join(totals, by) if by else h.cross_join(totals)
    start = j._end - j.n  # the 0-based positions of this length: start .. _end - 1
    at_lo = (start <= j._lo) & (j._lo < j._end)
    at_hi = (start <= j._lo + 1) & (j._lo + 1 < j._end)
    aggs = {
        "gaps": j.gaps.max(),
        "_frac": (j._pos - j._lo).max(),
        "_v_lo": j.gap.max(where=at_lo),
        "_v_hi": j.gap.max(where=at_hi),
    }
    per = j.group_by(by).aggregate(**aggs) if by else j.aggregate(**aggs)
    lo = per._v_lo.cast("float64")
    hi = per._v_hi.cast("float64").fill_null(lo)  # p on the last value: no next one
    return per.select(*by, "gaps", gap_days=lo + (hi - lo) * per._frac)


def gap_days(value: ir.NumericValue, config: dict[str, Any]) -> ir.IntegerValue:
    """A quantile of gaps as whole days: rounded up, at least ``min_gap_days``."""
    days = value.cast("float64").round(_DIGITS).ceil().cast("int64")
    return ibis.greatest(days, int(config["min_gap_days"]))
