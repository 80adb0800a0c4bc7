"""Acquisition cohorts: month of first purchase x months since, counts, % and revenue.

A customer's cohort is the calendar month (UTC) of his first purchase (not
of his record's creation); months since is 0 for that month. In month ``k``
a cohort has ``customers`` (those with a purchase in that month),
``retained_pct`` (of the cohort's size: "returned in month k"),
``retained_or_later_pct`` (with a purchase in month k or any later one up to
``as_of``: "returned in k or later"), ``revenue`` (net of refunds) and
``revenue_retained_pct`` (revenue of month k over revenue of month 0).
Month 0 is 100% by definition.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pandas as pd

from retain.analytics.summary import purchase_days

COHORT_COLUMNS = (
    "cohort",
    "months_since",
    "cohort_customers",
    "customers",
    "retained_pct",
    "retained_or_later_pct",
    "revenue",
    "revenue_retained_pct",
)


def cohort_table(orders: Any, as_of: date | datetime | str) -> pd.DataFrame:
    """The cohort table in long form (columns :data:`COHORT_COLUMNS`), one row per cohort and
    month since its first purchase, up to the month of ``as_of``; ``cohort`` is ``YYYY-MM``.

    ``orders`` as for :func:`~retain.analytics.customer_summary`.
    """
    p = purchase_days(orders, as_of)
    d = p.days
    d = d.mutate(month=d.day.year() * 12 + d.day.month() - 1)
    cm = d.group_by(["customer_id", "month"]).aggregate(revenue=d.amount.sum())
    first = cm.group_by("customer_id").aggregate(first=cm.month.min(), last=cm.month.max())
    j = cm.join(first, "customer_id")
    j = j.mutate(k=j.month - j.first)
    per = j.group_by(["first", "k"]).aggregate(customers=j.count(), revenue=j.revenue.sum())
    lasts = first.mutate(k=first.last - first.first)
    lasts = lasts.group_by(["first", "k"]).aggregate(n=lasts.count())
    per = per.to_pandas()
    lasts = lasts.to_pandas()
    end_month = p.as_of.year * 12 + p.as_of.month - 1
    rows = []
    for cohort, group in per.groupby("first"):
        size = int(group.loc[group.k == 0, "customers"].sum())
        base_revenue = float(group.loc[group.k == 0, "revenue"].sum())
        ended = lasts[lasts["first"] == cohort].set_index("k")["n"]
        by_k = group.set_index("k")
        for k in range(0, end_month - int(cohort) + 1):
            customers = int(by_k["customers"].get(k, 0))
            revenue = float(by_k["revenue"].get(k, 0))
            later = int(ended[ended.index >= k].sum())
            rows.append(
                {
                    "cohort": f"{int(cohort) // 12:04d}-{int(cohort) % 12 + 1:02d}",
                    "months_since": k,
                    "cohort_customers": size,
                    "customers": customers,
                    "retained_pct": round(100 * customers / size, 2),
                    "retained_or_later_pct": round(100 * later / size, 2),
                    "revenue": revenue,
                    "revenue_retained_pct": round(100 * revenue / base_revenue, 2)
                    if base_revenue
                    else None,
                }
            )
    return pd.DataFrame(rows, columns=list(COHORT_COLUMNS))


def cohort_matrix(table: pd.DataFrame, value: str = "retained_pct") -> pd.DataFrame:
    """The cohort table as a matrix: one row per cohort, one column per month since."""
    return table.pivot(index="cohort", columns="months_since", values=value)
