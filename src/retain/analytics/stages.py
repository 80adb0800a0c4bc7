"""Life-cycle stages as of a date: exactly one stage per customer.

Rules, in order (``n`` purchase days up to ``as_of``, ``d`` days since the
last one, ``g`` the expected gap, see :mod:`retain.analytics.gaps`):

1. ``prospect``: known by ``as_of`` (``first_seen_at``, else first order),
   no purchase yet.
2. ``d <= g``: ``new`` when ``n == 1``, ``active`` when ``n < loyal_purchases``,
   else ``loyal``.
3. seasonal customers (purchases clustered in one season of the year,
   :mod:`retain.analytics.seasons`) whose next season has not ended yet:
   ``lapsed``/``seasonal``. A seasonal customer's gap is at least a year.
4. a repeat buyer (at least ``silence_min_purchases`` purchase days, not
   seasonal) past his gap whose silence is very unlikely at his own pace,
   ``exp(-d * frequency / recency) < inactive_silence_probability`` (a
   Poisson process at his observed rate): ``inactive`` (``gone_quiet``).
5. ``d <= short_term_multiple * g``: ``lapsed``/``short_term``.
6. ``d <= inactive_multiple * g``: ``lapsed``/``long_term``.
7. beyond: ``inactive``/``do_not_contact`` (withdrew e-mail consent, marked
   do-not-contact, let go, or a confirmed competitor), else
   ``inactive``/``win_back`` (the same split for rule 4).

Each threshold is a day count; a customer exactly on a threshold stays in
the earlier stage (lapsed means *longer* than the gap).
"""

from __future__ import annotations

import math
from datetime import date, datetime
from typing import Any

import ibis
import ibis.expr.types as ir
import pandas as pd

from retain.analytics.gaps import category_gaps, gap_days, overall_gap
from retain.analytics.seasons import season_columns
from retain.analytics.settings import lifecycle_settings
from retain.analytics.summary import AS_OF_KEY, EPOCH, purchase_days, summary_table
from retain.analytics.tables import as_table, left_join_on, order_day, to_pandas

STAGES = ("prospect", "new", "active", "loyal", "lapsed", "inactive")
SUBSTAGES = {
    "lapsed": ("short_term", "long_term", "seasonal"),
    "inactive": ("win_back", "do_not_contact"),
}
#: a seasonal customer is expected back within a year at the latest
SEASON_YEAR_DAYS = 365

STAGE_COLUMNS = (
    "customer_id",
    "stage",
    "substage",
    "purchases",
    "days_since_last_order",
    "expected_gap_days",
    "gap_source",
    "main_category",
    "seasonal",
    "season_center_day",
    "season_ends",
    "do_not_contact",
    "gone_quiet",
)


def _flags(customers: ir.Table) -> ir.BooleanValue:
    cols = customers.columns
    flag = ibis.literal(False)
    if "email_consent" in cols:
        flag = flag | (customers.email_consent.fill_null(True) == ibis.literal(False))
    for name in ("do_not_contact", "let_go"):
        if name in cols:
            flag = flag | customers[name].fill_null(False)
    if "competitor_status" in cols:
        flag = flag | (customers.competitor_status.fill_null("none") == "confirmed")
    return flag


def stage_table(
    orders: Any,
    as_of: date | datetime | str,
    customers: Any = None,
    settings: dict[str, Any] | None = None,
    *,
    dates: ir.Table | None = None,
) -> ir.Table:
    """Stages as an Ibis expression on the engine of ``orders``.

    ``orders`` as for :func:`~retain.analytics.customer_summary`.
    ``customers`` (optional) has ``customer_id`` and may have
    ``first_seen_at``, ``email_consent``, ``do_not_contact``, ``let_go``,
    ``competitor_status``, ``merged_into_id`` (merged customers are left out);
    without it there are no prospects and nobody is do-not-contact.
    ``dates``: several as-of days at once, a table with one column
    ``_as_of_eday`` (days since 1970-01-01, none after ``as_of``): one row
    per day and customer, with that column.
    Columns: :data:`STAGE_COLUMNS` followed by the summary's columns.
    """
    cfg = lifecycle_settings(settings)
    p = purchase_days(orders, as_of, dates=dates)
    s = summary_table(
        orders, p.as_of, gap_quantile=float(cfg["gap_quantile"]), seasons=True, purchases=p
    )
    keys = [*p.keys, "customer_id"]

    if customers is not None:
        c = as_table(customers, "customers", ("customer_id",))
        if "merged_into_id" in c.columns:
            c = c.filter(c.merged_into_id.isnull())
        c = c.mutate(_dnc=_flags(c))
        known = _known_since(c, orders)
        c = left_join_on(c.select("customer_id", "_dnc"), known, "customer_id")
        if dates is None:
            c = c.filter(c._known.isnull() | (c._known <= ibis.date(p.as_of)))
        else:
            c = c.join(dates, c._known.isnull() | (c._known.epoch_days() <= dates[AS_OF_KEY]))
        t = left_join_on(c, s, keys)
    else:
        t = s.mutate(_dnc=ibis.literal(False))

    cg = category_gaps(p, cfg)
    enough = cg.filter(cg.category.notnull() & (cg.gaps >= int(cfg["min_category_gaps"])))
    enough = enough.select(*p.keys, _cat=enough.category, _cat_gap=enough.gap_days)
    same_day = [t[k] == enough[k] for k in p.keys]
    t = t.left_join(enough, [t.main_category == enough._cat, *same_day])
    t = t.drop("_cat", *(f"{k}_right" for k in p.keys))
    if p.keys:
        t = left_join_on(t, overall_gap(p, cfg), p.keys)
    else:
        t = t.cross_join(overall_gap(p, cfg))
    own_ok = (t.purchase_days - 1) >= int(cfg["own_history_min_gaps"])
    base_gap = ibis.cases(
        (own_ok, gap_days(t.own_gap_quantile, cfg)),
        (t._cat_gap.notnull(), gap_days(t._cat_gap, cfg)),
        (t._all_gap.notnull(), gap_days(t._all_gap, cfg)),
        else_=ibis.literal(int(cfg["default_gap_days"]), "int64"),
    )
    source = ibis.cases(
        (t.purchase_days.isnull(), ibis.null("string")),
        (own_ok, "own"),
        (t._cat_gap.notnull(), "category"),
        (t._all_gap.notnull(), "all"),
        else_="default",
    )
    t = t.mutate(_base_gap=base_gap, gap_source=source)
    t = t.mutate(**season_columns(t, cfg))
    gap = ibis.cases((t.seasonal, ibis.greatest(t._base_gap, SEASON_YEAR_DAYS)), else_=t._base_gap)
    t = t.mutate(
        expected_gap_days=ibis.cases((t.purchase_days.notnull(), gap), else_=ibis.null("int64"))
    )

    n = t.purchase_days.fill_null(0)
    d = t.days_since_last_order
    g = t._base_gap
    eg = t.expected_gap_days
    short = float(cfg["short_term_multiple"])
    inactive = float(cfg["inactive_multiple"])
    in_off_season = t.seasonal & (p.as_of_eday(t) <= t._season_end_eday)
    silence = float(cfg["inactive_silence_probability"])
    gone_quiet = ibis.literal(False)
    if silence > 0:
        # P(no purchase in d days | alive, Poisson rate frequency / recency) below the threshold
        gone_quiet = (
            ~t.seasonal
            & (t.purchase_days >= int(cfg["silence_min_purchases"]))
            & (t.recency > 0)
            & (d * t.frequency > t.recency * math.log(1 / silence))
        )
    t = t.mutate(gone_quiet=gone_quiet.fill_null(False))
    gone_quiet = t.gone_quiet
    stage = ibis.cases(
        (n == 0, "prospect"),
        (
            d <= g,
            ibis.cases((n == 1, "new"), (n < int(cfg["loyal_purchases"]), "active"), else_="loyal"),
        ),
        (in_off_season, "lapsed"),
        (gone_quiet, "inactive"),
        (d <= eg * inactive, "lapsed"),
        else_="inactive",
    )
    substage = ibis.cases(
        (n == 0, ""),
        (d <= g, ""),
        (in_off_season, "seasonal"),
        (gone_quiet, ibis.cases((t._dnc, "do_not_contact"), else_="win_back")),
        (d <= eg * short, "short_term"),
        (d <= eg * inactive, "long_term"),
        (t._dnc, "do_not_contact"),
        else_="win_back",
    )
    t = t.mutate(
        stage=stage,
        substage=substage,
        purchases=n,
        do_not_contact=t._dnc,
        season_ends=ibis.cases(
            (t.seasonal, ibis.date(EPOCH.isoformat()) + t._season_end_eday.as_interval("D")),
            else_=ibis.null("date"),
        ),
    )
    rest = [c for c in s.columns if c not in STAGE_COLUMNS]
    return t.select(*STAGE_COLUMNS, *rest)


def _known_since(customers: ir.Table, orders: Any) -> ir.Table:
    """Per customer the day he became known: ``first_seen_at``, else his first order."""
    o = as_table(orders, "orders", ("customer_id", "ordered_at"))
    first = o.group_by("customer_id").aggregate(_first_order=order_day(o).min())
    c = customers.select(
        "customer_id", *(["first_seen_at"] if "first_seen_at" in customers.columns else [])
    )
    c = left_join_on(c, first, "customer_id")
    known = c._first_order
    if "first_seen_at" in c.columns:
        seen = c.first_seen_at
        known = (seen if seen.type().is_date() else seen.date()).coalesce(known)
    return c.select("customer_id", _known=known)


def customer_stages(
    orders: Any,
    as_of: date | datetime | str,
    customers: Any = None,
    settings: dict[str, Any] | None = None,
) -> pd.DataFrame:
    """Every customer's life-cycle stage as of ``as_of`` (pandas, sorted by ``customer_id``).

    Inputs as for :func:`stage_table`; ``settings`` overrides
    :data:`retain.analytics.settings.DEFAULTS` (the ``[lifecycle]`` section).
    Columns: ``customer_id``, ``stage`` (one of :data:`STAGES`), ``substage``
    (``short_term``/``long_term``/``seasonal`` for lapsed,
    ``win_back``/``do_not_contact`` for inactive, ``""`` otherwise),
    ``purchases`` (purchase days), ``days_since_last_order``,
    ``expected_gap_days`` and ``gap_source`` (``own``, ``category``, ``all``
    or ``default``), ``main_category``, ``seasonal``, ``season_center_day``
    (day of the year), ``season_ends`` (end of the customer's next season),
    ``do_not_contact``, then the customer summary's columns.
    """
    return to_pandas(stage_table(orders, as_of, customers, settings).order_by("customer_id"))
