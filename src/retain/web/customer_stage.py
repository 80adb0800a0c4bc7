"""One customer's life-cycle stage from his own orders and the business's learned gaps.

:func:`retain.analytics.customer_stages` computes every customer's stage in
one pass over all orders (seconds on a large store). A customer's stage
depends on the other customers only through the *learned gaps*: the
``gap_quantile`` of the gaps after purchases in each product category (when
the category has at least ``min_category_gaps`` of them) and over all
categories. :func:`learned_gaps` computes those once for many dates from one
table of purchase days; :func:`stage_of` then applies the rules of
:mod:`retain.analytics.stages` to one customer's orders in plain Python
(microseconds), so the customer 360 page can show his stage and his stage at
every month end without reading the whole store.

The two must agree: ``tests/web/test_customer360_stage.py`` checks that
:func:`stage_of` gives :func:`~retain.analytics.customer_stages`' row for
every customer of a varied store on several dates; a change to the rules
there that is not made here fails that test.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import numpy as np
import pandas as pd

from retain.analytics.settings import lifecycle_settings

EPOCH = date(1970, 1, 1)
YEAR_DAYS = 365.2425
CYCLE_DAYS = 365
SEASON_YEAR_DAYS = 365
NOT_PURCHASED = ("cancelled", "failed", "pending", "refunded")
_DAYS_PER_RADIAN = YEAR_DAYS / (2 * math.pi)


@dataclass(frozen=True)
class LearnedGaps:
    """The business's expected gaps as of one date, in whole days (already rounded up).

    ``by_category``: categories with at least ``min_category_gaps`` gaps;
    ``overall``: over all gaps (None when nobody bought twice).
    """

    as_of: date
    by_category: dict[str, int] = field(default_factory=dict)
    overall: int | None = None


def _gap_days(value: float, cfg: dict[str, Any]) -> int:
    """As :func:`retain.analytics.gaps.gap_days`: rounded to 6 digits, up, at least the minimum."""
    rounded = Decimal(value).quantize(Decimal("0.000001"), ROUND_HALF_UP)
    return max(math.ceil(rounded), int(cfg["min_gap_days"]))


def purchase_day_gaps(days: pd.DataFrame) -> pd.DataFrame:
    """The gaps of a purchase-day table sorted by the later day: ``eday`` (of the later
    purchase day), ``gap`` (days), ``prev_category`` (of the earlier day, may be None).

    ``days``: the rows of :func:`retain.analytics.summary.purchase_days` (``eday``,
    ``gap``, ``prev_category``).
    """
    g = days.loc[days["gap"].notna(), ["eday", "gap", "prev_category"]]
    return g.sort_values("eday", kind="stable").reset_index(drop=True)


def learned_gaps(
    gaps: pd.DataFrame, dates: Iterable[date], settings: dict[str, Any] | None = None
) -> dict[date, LearnedGaps]:
    """The learned gaps as of each date, from :func:`purchase_day_gaps` of all orders.

    A gap counts at a date when its later purchase day is on or before it (the
    orders up to a date are a prefix of the days, so the gaps between them do
    not change). Quantiles are linear (SQL ``quantile_cont``).
    """
    cfg = lifecycle_settings(settings)
    q = float(cfg["gap_quantile"])
    need = int(cfg["min_category_gaps"])
    edays = gaps["eday"].to_numpy()
    out = {}
    for day in dates:
        n = int(np.searchsorted(edays, (day - EPOCH).days, side="right"))
        part = gaps.iloc[:n]
        overall = _gap_days(float(np.quantile(part["gap"], q)), cfg) if n else None
        known = part[part["prev_category"].notna()]
        by_category = {}
        for cat, values in known.groupby("prev_category")["gap"]:
            if len(values) >= need:
                by_category[str(cat)] = _gap_days(float(np.quantile(values, q)), cfg)
        out[day] = LearnedGaps(day, by_category, overall)
    return out


def _utc_day(value: Any) -> date:
    stamp = pd.Timestamp(value)
    if stamp.tzinfo is not None:
        stamp = stamp.tz_convert(UTC)
    return stamp.date()


def _purchase_days(orders: list[dict[str, Any]], as_of: date) -> list[dict[str, Any]]:
    """Orders up to ``as_of`` that are purchases, one entry per day (as ``purchase_days``)."""
    per_day: dict[date, dict[str, Any]] = {}
    for o in orders:
        day = _utc_day(o["ordered_at"])
        if day > as_of:
            continue
        status, amount, refunded = o.get("status"), o["amount"], o.get("refunded")
        if status is not None and status in NOT_PURCHASED:
            continue
        if refunded is not None and amount > 0 and refunded >= amount:
            continue
        net = amount - (refunded or 0)
        entry = per_day.setdefault(
            day, {"day": day, "amount": 0, "orders": 0, "category": None, "spend": {}}
        )
        entry["amount"] += net
        entry["orders"] += 1
        cat = o.get("product_category")
        entry["spend"][cat] = entry["spend"].get(cat, 0) + net
        if cat is not None and (entry["category"] is None or cat < entry["category"]):
            entry["category"] = cat
    days = sorted(per_day.values(), key=lambda e: e["day"])
    for i, e in enumerate(days):
        e["eday"] = (e["day"] - EPOCH).days
        e["gap"] = e["eday"] - days[i - 1]["eday"] if i else None
        e["prev_category"] = days[i - 1]["category"] if i else None
    return days


def _main_category(days: list[dict[str, Any]]) -> str | None:
    """The category of most purchase days (a day counts for its smallest category); ties:
    more spent in the category, then the name (None last)."""
    per: dict[Any, list[int]] = {}
    for d in days:
        per.setdefault(d["category"], [0, 0])[0] += 1
        for cat, net in d["spend"].items():
            per.setdefault(cat, [0, 0])[1] += net
    ranked = sorted(per.items(), key=lambda kv: (-kv[1][0], -kv[1][1], kv[0] is None, kv[0] or ""))
    return ranked[0][0]


def _season(days: list[dict[str, Any]], cfg: dict[str, Any]) -> dict[str, Any]:
    """As :func:`retain.analytics.seasons.season_columns` for one customer."""
    angles = [d["eday"] * (2 * math.pi / YEAR_DAYS) for d in days]
    cos = sum(math.cos(a) for a in angles) / len(angles)
    sin = sum(math.sin(a) for a in angles) / len(angles)
    r = min(math.sqrt(cos * cos + sin * sin), 1.0)
    first, last = days[0]["eday"], days[-1]["eday"]
    seasonal = (
        len(days) >= int(cfg["seasonal_min_purchases"])
        and (last - first) >= int(cfg["seasonal_min_span_days"])
        and r >= float(cfg["seasonal_min_concentration"])
    )
    centre0 = math.floor(math.atan2(sin, cos) * _DAYS_PER_RADIAN + 0.5) % CYCLE_DAYS
    sd_days = math.sqrt(-2.0 * math.log(max(r, 1e-9))) * _DAYS_PER_RADIAN
    twice = Decimal(sd_days * 2).quantize(Decimal("0.000001"), ROUND_HALF_UP)
    half = min(
        max(math.ceil(twice), int(cfg["season_min_half_width_days"])),
        int(cfg["season_max_half_width_days"]),
    )
    last_doy0 = days[-1]["day"].timetuple().tm_yday - 1
    delta = (centre0 - half - last_doy0) % CYCLE_DAYS
    delta = CYCLE_DAYS if delta == 0 else delta
    return {
        "seasonal": seasonal,
        "season_center_day": centre0 + 1 if seasonal else None,
        "season_end_eday": last + delta + 2 * half,
    }


def _summary(days: list[dict[str, Any]], as_of: date) -> dict[str, Any]:
    first, last = days[0]["eday"], days[-1]["eday"]
    n = len(days)
    revenue = sum(d["amount"] for d in days)
    return {
        "frequency": n - 1,
        "recency": last - first,
        "T": (as_of - EPOCH).days - first,
        "monetary_value": (revenue - days[0]["amount"]) / (n - 1) if n > 1 else 0.0,
        "revenue": revenue,
        "first_order_date": days[0]["day"],
        "last_order_date": days[-1]["day"],
    }


def summary_of(orders: list[dict[str, Any]], as_of: date) -> dict[str, Any] | None:
    """His row of :func:`retain.analytics.customer_summary` in days (``frequency``,
    ``recency``, ``T``, ``monetary_value``, ``revenue``, ``first_order_date``,
    ``last_order_date``); None without a purchase up to ``as_of``."""
    days = _purchase_days(orders, as_of)
    return _summary(days, as_of) if days else None


def do_not_contact(customer: dict[str, Any]) -> bool:
    """Withdrew e-mail consent, marked do-not-contact, let go, or a confirmed competitor."""
    return (
        customer.get("email_consent") is False
        or bool(customer.get("do_not_contact"))
        or bool(customer.get("let_go"))
        or customer.get("competitor_status") == "confirmed"
    )


def known_since(customer: dict[str, Any], orders: list[dict[str, Any]]) -> date | None:
    """The day he became known: ``first_seen_at``, else his first order (any status)."""
    if customer.get("first_seen_at") is not None:
        return _utc_day(customer["first_seen_at"])
    days = [_utc_day(o["ordered_at"]) for o in orders]
    return min(days) if days else None


def stage_of(
    customer: dict[str, Any],
    orders: list[dict[str, Any]],
    as_of: date,
    gaps: LearnedGaps,
    settings: dict[str, Any] | None = None,
) -> dict[str, Any] | None:
    """One customer's row of :func:`~retain.analytics.customer_stages` as of ``as_of``.

    ``customer``: ``first_seen_at``, ``email_consent``, ``do_not_contact``,
    ``let_go``, ``competitor_status``, ``merged_into_id``; ``orders``: his orders
    with ``ordered_at`` (UTC), ``amount`` and ``refunded`` (minor units),
    ``status``, ``product_category``; ``gaps``: the learned gaps as of ``as_of``.
    None when he is not known yet at ``as_of`` or was merged into another (a customer
    with neither ``first_seen_at`` nor orders counts as known, as there).
    Keys: ``stage``, ``substage``, ``purchases``, ``days_since_last_order``,
    ``expected_gap_days``, ``gap_source``, ``main_category``, ``seasonal``,
    ``season_center_day``, ``season_ends``, ``do_not_contact``, ``gone_quiet``,
    ``frequency``, ``recency``, ``T`` (days), ``monetary_value``, ``revenue`` (minor units),
    ``first_order_date``, ``last_order_date``.
    """
    cfg = lifecycle_settings(settings)
    if customer.get("merged_into_id") is not None:
        return None
    known = known_since(customer, orders)
    if known is not None and known > as_of:
        return None
    dnc = do_not_contact(customer)
    days = _purchase_days(orders, as_of)
    row: dict[str, Any] = {
        "stage": "prospect",
        "substage": "",
        "purchases": len(days),
        "days_since_last_order": None,
        "expected_gap_days": None,
        "gap_source": None,
        "main_category": None,
        "seasonal": False,
        "season_center_day": None,
        "season_ends": None,
        "do_not_contact": dnc,
        "gone_quiet": False,
        "frequency": None,
        "recency": None,
        "T": None,
        "monetary_value": None,
        "revenue": None,
        "first_order_date": None,
        "last_order_date": None,
    }
    if not days:
        return row
    as_of_eday = (as_of - EPOCH).days
    n = len(days)
    first, last = days[0]["eday"], days[-1]["eday"]
    own = [d["gap"] for d in days[1:]]
    main = _main_category(days)
    row.update(_summary(days, as_of), main_category=main, days_since_last_order=as_of_eday - last)
    q = float(cfg["gap_quantile"])
    if n - 1 >= int(cfg["own_history_min_gaps"]):
        base, source = _gap_days(float(np.quantile(own, q)), cfg), "own"
    elif main is not None and main in gaps.by_category:
        base, source = gaps.by_category[main], "category"
    elif gaps.overall is not None:
        base, source = gaps.overall, "all"
    else:
        base, source = int(cfg["default_gap_days"]), "default"
    season = _season(days, cfg)
    eg = max(base, SEASON_YEAR_DAYS) if season["seasonal"] else base
    d = as_of_eday - last
    frequency, recency = n - 1, last - first
    silence = float(cfg["inactive_silence_probability"])
    gone_quiet = (
        silence > 0
        and not season["seasonal"]
        and n >= int(cfg["silence_min_purchases"])
        and recency > 0
        and d * frequency > recency * math.log(1 / silence)
    )
    off_season = season["seasonal"] and as_of_eday <= season["season_end_eday"]
    if d <= base:
        loyal = int(cfg["loyal_purchases"])
        stage, sub = ("new" if n == 1 else "active" if n < loyal else "loyal"), ""
    elif off_season:
        stage, sub = "lapsed", "seasonal"
    elif gone_quiet:
        stage, sub = "inactive", "do_not_contact" if dnc else "win_back"
    elif d <= eg * float(cfg["inactive_multiple"]):
        stage = "lapsed"
        sub = "short_term" if d <= eg * float(cfg["short_term_multiple"]) else "long_term"
    else:
        stage, sub = "inactive", "do_not_contact" if dnc else "win_back"
    row.update(
        stage=stage,
        substage=sub,
        expected_gap_days=eg,
        gap_source=source,
        seasonal=season["seasonal"],
        season_center_day=season["season_center_day"],
        season_ends=(
            date.fromordinal(EPOCH.toordinal() + season["season_end_eday"])
            if season["seasonal"]
            else None
        ),
        gone_quiet=bool(gone_quiet),
    )
    return row


def month_ends(end: date, months: int) -> list[date]:
    """The last day of each of the ``months`` months up to ``end``'s (``end`` itself last)."""
    out = []
    y, m = end.year, end.month
    for _ in range(months):
        ny, nm = (y + 1, 1) if m == 12 else (y, m + 1)
        out.append(min(date(ny, nm, 1) - timedelta(days=1), end))
        y, m = (y - 1, 12) if m == 1 else (y, m - 1)
    return sorted(out)


def as_datetime(day: date) -> datetime:
    """Midnight UTC of ``day`` (for JSON and charts)."""
    return datetime(day.year, day.month, day.day, tzinfo=UTC)
