"""The value of a relationship for the plan's ranking: stored CLV, past revenue, or the models.

``value_from = "auto"`` (default): the stored CLV scores of ``retain clv fit``
(:func:`stored_value`) where a score run covers the customer, else past
revenue. ``value_from = "revenue"``: net revenue per year of relationship
(see :mod:`retain.outreach.facts`). ``value_from = "clv"``: the expected
revenue of the next 12 months, BG/NBD expected purchases (Fader, Hardie and
Lee 2005, eq. 10) times the Gamma-Gamma expected spend (Fader, Hardie and Lee
2005b, eq. 5), fitted on the business's own customer summary by
:mod:`retain.clv`. Customers the models cannot value (no purchase, a fit
that fails on too little data) keep the revenue-based value, and their
``value_source`` says so.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from retain.errors import RetainError
from retain.store import Store

#: ``value_source`` of each method
REVENUE, MODEL, STORED = "revenue_per_year", "clv_model", "stored_clv"
SUMMARY = ("frequency", "recency", "T", "monetary_value", "revenue", "orders")


def model_value(summary: pd.DataFrame, horizon_days: float = 365.0) -> pd.Series:
    """Expected revenue (minor units) over ``horizon_days`` per row; NaN where none.

    ``summary``: the BTYD columns of :func:`retain.analytics.customer_summary`
    (daily periods) plus ``revenue`` and ``orders``.
    """
    from retain.clv import BetaGeo, GammaGamma

    out = pd.Series(np.nan, index=summary.index, dtype="float")
    known = summary.dropna(subset=["frequency", "recency", "T"])
    if known.empty:
        return out
    f = known["frequency"].to_numpy(dtype=float)
    r = known["recency"].to_numpy(dtype=float)
    t = known["T"].to_numpy(dtype=float)
    # first purchase on as_of (T = 0): left out of the fit, valued as one day old
    seen = t > 0
    t = np.maximum(t, 1.0)
    try:
        fitted = BetaGeo().fit(f[seen], r[seen], t[seen])
        purchases = fitted.conditional_expected_purchases(horizon_days, f, r, t)
    except RetainError:
        return out
    spend_raw = known["monetary_value"].to_numpy(dtype=float)
    repeat = f > 0
    mean_order = (known["revenue"] / known["orders"].clip(lower=1)).to_numpy(dtype=float)
    spend = mean_order.copy()
    if repeat.sum() >= 2:
        try:
            gg = GammaGamma().fit(f[repeat], spend_raw[repeat])
            spend[repeat] = gg.conditional_expected_average_spend(f[repeat], spend_raw[repeat])
        except RetainError:
            pass
    out.loc[known.index] = np.asarray(purchases, dtype=float) * spend
    return out


def stored_value(store: Store, day: date) -> pd.Series:
    """Yearly value (minor units) per customer (store id) from the stored CLV scores.

    The scores of the most recently fitted model (:func:`retain.clv.scores.latest_scores`):
    ``clv_minor`` (discounted expected revenue over ``horizon_months``) x 12 /
    ``horizon_months``. Empty when no model was scored, or when its scores are
    dated after ``day`` (a plan as of an earlier day must not see the future).
    """
    from retain.clv.scores import latest_scores

    scores = latest_scores(store)
    if scores.empty:
        return pd.Series(dtype="float64")
    dated = pd.to_datetime(scores["as_of"]).dt.date <= day
    scores = scores[dated.to_numpy()]
    yearly = scores["clv_minor"].to_numpy(dtype=float) * 12.0
    yearly /= scores["horizon_months"].to_numpy(dtype=float)
    return pd.Series(
        np.maximum(yearly, 0.0), index=scores["customer_id"].astype("int64").to_numpy()
    )
