"""Seasonal buyers: purchases that cluster on one part of the year.

Circular statistics on the day of the year (Fisher 1993, *Statistical
analysis of circular data*, ch. 2): each purchase day is an angle
``2 pi * eday / 365.2425`` (``eday``: days since 1970-01-01, so 0 falls on
1 January, within a day over the leap-year cycle); the mean of the unit
vectors has length ``R`` (the mean resultant length: 1 when every purchase falls on the same
day of the year, near 0 when they spread round the year) and direction
``mu`` (the centre of the season). The circular standard deviation is
``sqrt(-2 ln R)`` radians.

A customer is *seasonal* when he has at least ``seasonal_min_purchases``
purchase days spread over at least ``seasonal_min_span_days`` (two seasons)
with ``R >= seasonal_min_concentration``. His season is the centre day plus
or minus two circular standard deviations (clamped to
``season_min_half_width_days .. season_max_half_width_days``); his *next
season* is the first one that begins after his last purchase.
"""

from __future__ import annotations

import math
from typing import Any

import ibis
import ibis.expr.types as ir

from retain.analytics.summary import YEAR_DAYS

#: days of the year cycle used to find the next season (whole days)
CYCLE_DAYS = 365
_DAYS_PER_RADIAN = YEAR_DAYS / (2 * math.pi)


def season_columns(t: ir.Table, cfg: dict[str, Any]) -> dict[str, ir.Value]:
    """Columns ``seasonal`` (bool), ``season_center_day`` (1..365, NULL when not
    seasonal), ``season_resultant`` (R) and ``_season_end_eday`` (the last day
    of the next season, days since 1970-01-01).

    ``t`` needs ``season_cos``, ``season_sin``, ``purchase_days``,
    ``first_order_date`` and ``last_order_date``.
    """
    r = (t.season_cos * t.season_cos + t.season_sin * t.season_sin).sqrt()
    r = ibis.least(r, 1.0)
    first = t.first_order_date.epoch_days()
    last = t.last_order_date.epoch_days()
    seasonal = (
        (t.purchase_days >= int(cfg["seasonal_min_purchases"]))
        & ((last - first) >= int(cfg["seasonal_min_span_days"]))
        & (r >= float(cfg["seasonal_min_concentration"]))
    ).fill_null(False)
    centre0 = (t.season_sin.atan2(t.season_cos) * _DAYS_PER_RADIAN + 0.5).floor().cast("int64")
    centre0 = _mod(centre0, CYCLE_DAYS)
    sd_days = (ibis.greatest(r, 1e-9).ln() * -2.0).sqrt() * _DAYS_PER_RADIAN
    half = ibis.least(
        ibis.greatest(
            (sd_days * 2).round(6).ceil().cast("int64"), int(cfg["season_min_half_width_days"])
        ),
        int(cfg["season_max_half_width_days"]),
    )
    last_doy0 = t.last_order_date.day_of_year().cast("int64") - 1
    delta = _mod(centre0 - half - last_doy0, CYCLE_DAYS)
    delta = ibis.cases((delta == 0, CYCLE_DAYS), else_=delta)
    return {
        "seasonal": seasonal,
        "season_center_day": ibis.cases((seasonal, centre0 + 1), else_=ibis.null("int64")),
        "season_resultant": r,
        "_season_end_eday": last + delta + 2 * half,
    }


def _mod(x: ir.IntegerValue, m: int) -> ir.IntegerValue:
    """``x`` modulo ``m`` in ``0 .. m-1`` on every engine (SQL's % keeps the sign)."""
    return ((x % m) + m) % m
