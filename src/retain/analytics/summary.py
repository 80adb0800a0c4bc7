"""The per-customer summary: buy-till-you-die figures plus the facts of the relationship.

Conventions (Fader, Hardie & Lee 2005, "Counting your customers the easy way";
the same as lifetimes' ``summary_data_from_transaction_data``):

- time is cut into periods of ``freq`` (``D`` days, ``W`` weeks starting
  Monday, ``M`` calendar months), by the UTC date of the order;
- ``frequency`` is the number of periods with a purchase after the first
  (purchases in one period count once); ``recency`` is the age of the customer
  at his last purchase and ``T`` his age at ``as_of``, both in periods;
- ``monetary_value`` is the mean value of the repeat periods' purchases
  (the first period's value excluded), 0 when there are none.

A purchase is an order up to ``as_of`` (the whole day of ``as_of`` counts)
whose ``status`` is not cancelled, failed, pending or refunded and whose
``refunded`` amount is less than its ``amount``; its value is
``amount - refunded``. Money keeps the unit of ``amount``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import ibis
import ibis.expr.types as ir
import pandas as pd

from retain.analytics.tables import NOT_PURCHASED, as_of_date, as_table, order_day, to_pandas
from retain.errors import InvalidInputError

ORDER_COLUMNS = ("customer_id", "ordered_at", "amount")
FREQS = ("D", "W", "M")
EPOCH = date(1970, 1, 1)
#: days of a mean (Gregorian) year: the angle of a day on the year circle is
#: ``2 pi * eday / YEAR_DAYS`` (0 on 1 January, within a day over the leap cycle)
YEAR_DAYS = 365.2425

SUMMARY_COLUMNS = (
    "customer_id",
    "frequency",
    "recency",
    "T",
    "monetary_value",
    "first_order_date",
    "last_order_date",
    "orders",
    "purchase_days",
    "revenue",
    "refunds",
    "mean_gap_days",
    "median_gap_days",
    "main_category",
    "days_since_last_order",
)


#: the code of "no category" in :attr:`Purchases.rows`: above every category's code
NO_CATEGORY = 2**31 - 1
#: ``eday * CODE_BASE + code`` orders purchase rows by day, then category code
CODE_BASE = 2**31


@dataclass(frozen=True)
class Purchases:
    """Intermediate tables of one summary: purchase days and their gaps."""

    #: one row per customer and purchase day: customer_id, day, eday (days since
    #: 1970-01-01), amount, orders, category, gap (days since the previous
    #: purchase day, NULL for the first), prev_category
    days: ir.Table
    as_of: date
    #: per customer the refunded amount of all orders up to ``as_of`` (None: no
    #: ``refunded`` column)
    refunds: ir.Table | None = None
    #: one row per purchase order, with what the day-level table gives, computed
    #: in one sorted pass over the orders (no grouping into days first):
    #: customer_id, eday, net (value), code (its category's), new_day and
    #: last_of_day (the first and last row of its day; the last holds the day's
    #: category), first_day (a row of the customer's first purchase day), gap
    #: and prev_code (set on the first row of each day but the first); codes
    #: as in ``categories``
    rows: ir.Table | None = None
    #: ``code`` -> ``category``: the categories in name order, codes 0, 1, ...
    #: (no row for :data:`NO_CATEGORY`)
    categories: ir.Table | None = None


def _period(eday: ir.IntegerValue, freq: str) -> ir.IntegerValue:
    """The index of the period of ``freq`` holding the day (integer, increasing)."""
    if freq == "D":
        return eday
    if freq == "W":
        return (eday + 3) // 7  # 1969-12-29 was a Monday
    day = _date(eday)
    return day.year() * 12 + day.month() - 1


def _date(eday: ir.IntegerValue) -> ir.DateValue:
    """The date ``eday`` days after 1970-01-01."""
    return ibis.date(EPOCH.isoformat()) + eday.as_interval("D")


def _period_of(day: date, freq: str) -> int:
    eday = (day - EPOCH).days
    if freq == "D":
        return eday
    if freq == "W":
        return (eday + 3) // 7
    return day.year * 12 + day.month - 1


def purchase_days(orders: Any, as_of: date | datetime | str) -> Purchases:
    """Orders up to ``as_of`` reduced to one row per customer and purchase day.

    ``orders`` needs ``customer_id``, ``ordered_at`` and ``amount``; it may
    have ``refunded``, ``status`` and ``product_category``.
    """
    day_limit = as_of_date(as_of)
    t = as_table(orders, "orders", ORDER_COLUMNS)
    day = order_day(t)
    t = t.mutate(_day=day).filter(day <= ibis.date(day_limit))
    cols = t.columns
    refunds = None
    if "refunded" in cols:
        kind = "int64" if t.refunded.type().is_integer() else "float64"
        refunds = t.group_by("customer_id").aggregate(
            refunds=t.refunded.fill_null(0).sum().cast(kind)
        )
    net = t.amount - t.refunded.fill_null(0) if "refunded" in cols else t.amount
    bought = ibis.literal(True)
    if "status" in cols:
        bought = bought & (t.status.isnull() | ~t.status.isin(NOT_PURCHASED))
    if "refunded" in cols:
        bought = bought & ~((t.amount > 0) & (t.refunded.fill_null(0) >= t.amount))
    category = t.product_category if "product_category" in cols else ibis.null("string")
    t = t.mutate(_net=net.fill_null(0), _bought=bought, _cat=category)
    t = t.filter(t._bought)
    money = "int64" if t._net.type().is_integer() else "float64"
    days = t.group_by(customer_id=t.customer_id, day=t._day).aggregate(
        amount=t._net.sum().cast(money),
        orders=t.count().cast("int64"),
        category=t._cat.min(),
    )
    days = days.mutate(eday=days.day.epoch_days())
    w = ibis.window(group_by=days.customer_id, order_by=days.day)
    days = days.mutate(
        gap=days.eday - days.eday.lag().over(w), prev_category=days.category.lag().over(w)
    )
    rows, categories = _purchase_rows(t, money)
    return Purchases(days=days, as_of=day_limit, refunds=refunds, rows=rows, categories=categories)


def _purchase_rows(t: ir.Table, money: str) -> tuple[ir.Table, ir.Table]:
    """The purchase orders with their day-level facts, from one window over the orders.

    Rows are ordered per customer by one integer key, ``eday * CODE_BASE +
    (CODE_BASE - 1 - code)``: by day, then category code descending (no
    category first). Within a day the last row holds the smallest category
    (the day's category, as ``min`` in :func:`purchase_days`), and the first
    row of a day sees, through ``lag``, the last row of the previous purchase
    day: its day and its category. One sort key instead of two halves the
    cost of the sort (measured on DuckDB: 1.7 against 2.9 CPU seconds for 10M
    orders).
    """
    named = t.filter(t._cat.notnull())
    cats = named.select(category=named._cat).distinct()
    cats = cats.mutate(code=ibis.dense_rank().over(order_by=cats.category).cast("int64"))
    r = t.left_join(cats, t._cat == cats.category)
    r = r.select(
        customer_id=r.customer_id,
        eday=r._day.epoch_days().cast("int64"),
        net=r._net.cast(money),
        code=r.code.fill_null(NO_CATEGORY),
    )
    key = r.eday * CODE_BASE + (CODE_BASE - 1 - r.code)
    w = ibis.window(group_by=r.customer_id, order_by=key)
    r = r.mutate(
        _prev_eday=r.eday.lag().over(w),
        _prev_code=r.code.lag().over(w),
        _next_eday=r.eday.lead().over(w),
        # over the same sorted window (no second sort): the frame is the whole customer
        _first_eday=r.eday.min().over(w),
    )
    later = r._prev_eday != r.eday  # NULL on the customer's first row
    rows = r.select(
        "customer_id",
        "eday",
        "net",
        "code",
        new_day=r._prev_eday.isnull() | later,
        last_of_day=r._next_eday.isnull() | (r._next_eday != r.eday),
        first_day=r.eday == r._first_eday,
        gap=ibis.cases((later, r.eday - r._prev_eday), else_=ibis.null("int64")),
        prev_code=ibis.cases((later, r._prev_code), else_=ibis.null("int64")),
    )
    return rows, cats


def summary_table(
    orders: Any,
    as_of: date | datetime | str,
    freq: str = "D",
    *,
    gap_quantile: float | None = None,
    seasons: bool = False,
    purchases: Purchases | None = None,
) -> ir.Table:
    """The customer summary as an Ibis expression on the engine that holds ``orders``.

    ``gap_quantile`` adds ``own_gap_quantile`` (that quantile of the customer's
    gaps, days); ``seasons`` adds ``season_cos``/``season_sin`` (the mean of the
    purchase days' angle on the year circle), used by the life-cycle stages.
    """
    if freq not in FREQS:
        raise InvalidInputError(
            f"freq must be one of {', '.join(FREQS)} (days, weeks, months), not {freq!r}"
        )
    p = purchases or purchase_days(orders, as_of)
    d = p.rows
    period = _period(d.eday, freq)
    d = d.mutate(period=period)
    if freq == "D":
        first_value = d.net.sum(where=d.first_day)
    else:
        d = d.mutate(first_period=d.period.min().over(ibis.window(group_by=d.customer_id)))
        first_value = d.net.sum(where=d.period == d.first_period)
    as_of_period = _period_of(p.as_of, freq)
    as_of_eday = (p.as_of - EPOCH).days
    aggs: dict[str, Any] = {
        "purchase_days": d.count(where=d.new_day),
        "periods": d.count(where=d.new_day) if freq == "D" else d.period.nunique(),
        "first_period": d.period.min(),
        "last_period": d.period.max(),
        "first_eday": d.eday.min(),
        "last_eday": d.eday.max(),
        "orders": d.count().cast("int64"),
        "revenue": d.net.sum().cast(d.net.type()),
        "first_period_value": first_value,
        # one holistic pass for both quantiles (median, and the gap quantile);
        # gap is NULL but on the first order of each purchase day after the first
        "gap_quantiles": d.gap.quantile([0.5, gap_quantile if gap_quantile is not None else 0.5]),
    }
    if seasons:
        angle = d.eday.cast("float64") * (2 * math.pi / YEAR_DAYS)
        aggs["season_cos"] = angle.cos().mean(where=d.new_day)
        aggs["season_sin"] = angle.sin().mean(where=d.new_day)
    s = d.group_by("customer_id").aggregate(**aggs)
    if gap_quantile is not None:
        s = s.mutate(own_gap_quantile=s.gap_quantiles[1].cast("float64"))
    frequency = s.periods - 1
    s = s.mutate(
        frequency=frequency,
        recency=s.last_period - s.first_period,
        T=as_of_period - s.first_period,
        monetary_value=ibis.cases(
            (frequency > 0, (s.revenue - s.first_period_value) / frequency), else_=0.0
        ).cast("float64"),
        mean_gap_days=ibis.cases(
            (
                s.purchase_days > 1,
                (s.last_eday - s.first_eday) / (s.purchase_days - 1),
            ),
            else_=ibis.null("float64"),
        ),
        days_since_last_order=as_of_eday - s.last_eday,
        first_order_date=_date(s.first_eday),
        last_order_date=_date(s.last_eday),
        median_gap_days=s.gap_quantiles[0].cast("float64"),
    )
    main = main_category(p)
    s = s.left_join(main, "customer_id").drop("customer_id_right")
    if p.refunds is not None:
        s = s.left_join(p.refunds, "customer_id").drop("customer_id_right")
        s = s.mutate(refunds=s.refunds.fill_null(0))
    else:
        s = s.mutate(refunds=ibis.literal(0).cast(s.revenue.type()))
    extra = [c for c in ("own_gap_quantile", "season_cos", "season_sin") if c in s.columns]
    return s.select(*SUMMARY_COLUMNS, *extra)


def main_category(p: Purchases) -> ir.Table:
    """Per customer the category of most purchase days (ties: more spent in it, then name).

    A day counts for its category, the smallest of its orders' (on the day's
    last row, see :func:`_purchase_rows`); the spending of a category is that
    of the orders in it.
    """
    r = p.rows
    per = r.group_by(["customer_id", "code"]).aggregate(
        n=r.count(where=r.last_of_day), value=r.net.sum()
    )
    w = ibis.window(
        group_by=per.customer_id,
        order_by=[per.n.desc(), per.value.desc(), per.code.asc()],
    )
    per = per.mutate(rank=ibis.row_number().over(w))
    per = per.filter(per.rank == 0)
    per = per.left_join(p.categories, per.code == p.categories.code)
    return per.select("customer_id", main_category="category")


def customer_summary(orders: Any, as_of: date | datetime | str, freq: str = "D") -> pd.DataFrame:
    """One row per customer with a purchase up to ``as_of`` (pandas).

    ``orders``: a pandas DataFrame, Arrow table or Ibis table with
    ``customer_id``, ``ordered_at`` (timestamp, UTC when naive, or date) and
    ``amount`` (money, any unit); optional ``refunded`` (same unit),
    ``status`` and ``product_category``. An Ibis table runs on its own
    backend (DuckDB, PostgreSQL, PySpark); pandas and Arrow run on DuckDB.

    Columns: ``customer_id``; ``frequency``, ``recency``, ``T`` (periods of
    ``freq``) and ``monetary_value`` in the BTYD conventions (see the module
    docstring); ``first_order_date``, ``last_order_date`` (UTC dates);
    ``orders`` (purchase orders), ``purchase_days`` (days with a purchase);
    ``revenue`` (net of refunds) and ``refunds`` (refunded amounts of all
    orders up to ``as_of``); ``mean_gap_days`` and ``median_gap_days``
    between consecutive purchase days (NaN with one purchase day);
    ``main_category`` (the category of most purchase days);
    ``days_since_last_order``. Sorted by ``customer_id``.
    """
    expr = summary_table(orders, as_of, freq).order_by("customer_id")
    return to_pandas(expr)
