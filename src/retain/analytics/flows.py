"""Stage flows between two dates, monthly stage history, and why a customer is where he is."""

from __future__ import annotations

import math
from datetime import date, datetime
from typing import Any

import ibis
import pandas as pd
import pyarrow as pa

from retain.analytics.settings import lifecycle_settings
from retain.analytics.stages import STAGES, SUBSTAGES, customer_stages, stage_table
from retain.analytics.summary import AS_OF_KEY, EPOCH
from retain.analytics.tables import as_of_date, as_table, to_pandas
from retain.errors import InvalidInputError

#: stage of a customer not yet known at a date (in flows only)
UNKNOWN = "unknown"


def stage_flows(
    orders: Any,
    start: date | datetime | str,
    end: date | datetime | str,
    customers: Any = None,
    settings: dict[str, Any] | None = None,
) -> pd.DataFrame:
    """How many customers moved from each stage at ``start`` to each stage at ``end``.

    Long form: ``from_stage``, ``to_stage``, ``customers`` (only pairs that
    occur), where ``from_stage`` is ``unknown`` for customers not yet known at
    ``start``. :func:`flow_matrix` pivots it.
    """
    a, b = as_of_date(start), as_of_date(end)
    if b < a:
        raise InvalidInputError(f"flows: the end {b} is before the start {a}; swap them")
    first = customer_stages(orders, a, customers, settings)
    second = customer_stages(orders, b, customers, settings)
    return flows_between(first, second)


def flows_between(first: pd.DataFrame, second: pd.DataFrame) -> pd.DataFrame:
    """:func:`stage_flows` from two stage frames (:func:`~retain.analytics.customer_stages`
    at the start and at the end, e.g. from :func:`~retain.analytics.store_stages`)."""
    first = first[["customer_id", "stage"]]
    second = second[["customer_id", "stage"]]
    both = second.merge(first, on="customer_id", how="left", suffixes=("", "_from"))
    both["from_stage"] = both["stage_from"].fillna(UNKNOWN)
    out = (
        both.groupby(["from_stage", "stage"], sort=False)
        .size()
        .rename("customers")
        .reset_index()
        .rename(columns={"stage": "to_stage"})
    )
    order = {s: i for i, s in enumerate((UNKNOWN, *STAGES))}
    out = out.sort_values(["from_stage", "to_stage"], key=lambda c: c.map(order)).reset_index(
        drop=True
    )
    return out


def flow_matrix(flows: pd.DataFrame) -> pd.DataFrame:
    """The transition matrix of :func:`stage_flows`: rows from-stage, columns to-stage."""
    rows = [s for s in (UNKNOWN, *STAGES) if s in set(flows.from_stage)]
    m = flows.pivot_table(
        index="from_stage", columns="to_stage", values="customers", aggfunc="sum", fill_value=0
    )
    return m.reindex(index=rows, columns=list(STAGES), fill_value=0).astype(int)


def month_ends(start: date, end: date) -> list[date]:
    """The last day of every month from ``start``'s month to ``end``'s (``end`` itself last)."""
    out = []
    y, m = start.year, start.month
    while (y, m) <= (end.year, end.month):
        ny, nm = (y + 1, 1) if m == 12 else (y, m + 1)
        last = date(ny, nm, 1) - pd.Timedelta(days=1).to_pytimedelta()
        out.append(min(last, end))
        y, m = ny, nm
    return out


def stage_history(
    orders: Any,
    start: date | datetime | str,
    end: date | datetime | str,
    customers: Any = None,
    settings: dict[str, Any] | None = None,
) -> pd.DataFrame:
    """Customers per stage at the end of every month from ``start`` to ``end``.

    Columns: ``as_of`` (the month's last day; ``end`` for the last month),
    then one column per stage (counts).
    """
    a, b = as_of_date(start), as_of_date(end)
    if b < a:
        raise InvalidInputError(f"history: the end {b} is before the start {a}; swap them")
    # one query for every month end: the purchase rows and their window are
    # computed once, then each month end sees the rows up to it (an as-of column)
    ends = month_ends(a, b)
    o = as_table(orders, "orders", ("customer_id", "ordered_at", "amount"))
    c = None if customers is None else as_table(customers, "customers", ("customer_id",))
    dates = ibis.memtable(
        pa.table({AS_OF_KEY: pa.array([(d - EPOCH).days for d in ends], pa.int64())})
    )
    s = stage_table(o, b, c, settings, dates=dates)
    counts = to_pandas(s.group_by([AS_OF_KEY, "stage"]).aggregate(customers=s.count()))
    rows = []
    for day in ends:
        got = counts[counts[AS_OF_KEY] == (day - EPOCH).days].set_index("stage")["customers"]
        rows.append({"as_of": day, **{st: int(got.get(st, 0)) for st in STAGES}})
    return pd.DataFrame(rows, columns=["as_of", *STAGES])


def explain(row: dict[str, Any], as_of: date, settings: dict[str, Any] | None = None) -> list[str]:
    """Lines that say which rule put a customer in his stage, with his numbers.

    ``row`` is the customer's row of :func:`~retain.analytics.customer_stages`.
    """
    cfg = lifecycle_settings(settings)
    stage, sub = row["stage"], row["substage"] or ""
    lines = [f"stage as of {as_of}: {stage}" + (f" ({sub})" if sub else "")]
    n = int(row["purchases"] or 0)
    if stage == "prospect":
        lines.append("rule: known, no purchase up to as_of")
        return lines
    d = int(row["days_since_last_order"])
    g = int(row["expected_gap_days"])
    loyal = cfg["loyal_purchases"]
    source = {
        "own": f"the {cfg['gap_quantile']} quantile of his own gaps "
        f"(he has at least {cfg['own_history_min_gaps']})",
        "category": f"the {cfg['gap_quantile']} quantile of gaps after purchases in his main "
        f"category {row.get('main_category')!r}",
        "all": f"the {cfg['gap_quantile']} quantile of all gaps (his main category "
        f"{row.get('main_category')!r} has fewer than {cfg['min_category_gaps']})",
        "default": "default_gap_days: the business has no repeat purchase yet",
    }[row["gap_source"]]
    last = pd.Timestamp(row["last_order_date"]).date()
    lines.append(f"purchases (days with a purchase): {n}; last order: {last}")
    lines.append(f"days since last order: {d}")
    lines.append(f"expected gap: {g} days, {source}")
    if row.get("seasonal"):
        lines.append(
            f"seasonal buyer: season centred on day {row['season_center_day']} of the year; "
            f"his next season ends {pd.Timestamp(row['season_ends']).date()}; "
            "his gap is at least a year"
        )
    short = cfg["short_term_multiple"] * g
    inactive = cfg["inactive_multiple"] * g
    if stage in ("new", "active", "loyal"):
        rule = {
            "new": "one purchase",
            "active": f"2 to {loyal - 1} purchases",
            "loyal": f"at least loyal_purchases = {loyal} purchases",
        }[stage]
        lines.append(f"rule: {d} <= {g} days (not lapsed) and {rule}")
    elif sub == "seasonal":
        lines.append(
            f"rule: {d} days is past the gap, and his next season (ends "
            f"{pd.Timestamp(row['season_ends']).date()}) has not ended yet: seasonally lapsed"
        )
    elif sub == "short_term":
        lines.append(f"rule: {d} days is past the gap and <= short_term_multiple x gap = {short:g}")
    elif sub == "long_term":
        lines.append(
            f"rule: {d} days > short_term_multiple x gap = {short:g} and "
            f"<= inactive_multiple x gap = {inactive:g}"
        )
    elif row.get("gone_quiet"):
        rate = float(row["frequency"]) / float(row["recency"])
        p_quiet = math.exp(-d * rate)
        lines.append(
            f"rule: {d} days past the gap, and at his own pace ({int(row['frequency'])} repeat "
            f"purchases in {int(row['recency'])} days) {d} days without a purchase had a "
            f"probability of {p_quiet:.2g} < inactive_silence_probability = "
            f"{cfg['inactive_silence_probability']}: very unlikely still a customer"
        )
    else:
        lines.append(f"rule: {d} days > inactive_multiple x gap = {inactive:g}")
    if stage == "inactive":
        lines.append(
            "do not contact: withdrew consent, marked do-not-contact, let go or a competitor"
            if sub == "do_not_contact"
            else "win-back candidate: may be contacted"
        )
    return lines


def stage_counts(stages: pd.DataFrame, by: str | None = None) -> pd.DataFrame:
    """Customers per stage and substage (and per ``by`` column), with their share in %.

    ``stages``: the frame of :func:`~retain.analytics.customer_stages` (plus
    the ``by`` column). Shares are of all customers (of the ``by`` group).
    """
    keys = ([by] if by else []) + ["stage", "substage"]
    frame = stages.assign(**({by: stages[by].fillna("(none)")} if by else {}))
    counts = frame.groupby(keys, dropna=False).size().rename("customers").reset_index()
    total = counts.groupby(by)["customers"].transform("sum") if by else counts.customers.sum()
    counts["share_pct"] = (100 * counts.customers / total).round(1)
    order = {s: i for i, s in enumerate(STAGES)}
    sub_order = {s: i for i, s in enumerate(("", *SUBSTAGES["lapsed"], *SUBSTAGES["inactive"]))}
    keys = {"stage": order, "substage": sub_order}
    sort = [*([by] if by else []), "stage", "substage"]
    counts = counts.sort_values(
        sort, key=lambda c: c.map(keys[c.name]) if c.name in keys else c
    ).reset_index(drop=True)
    return counts
