"""Stored CLV scores: fit the purchase and spend models on the store's orders as of a date,
score every customer, and keep the scores where life cycle, outreach, cases and the web
app can read them (:func:`latest_scores`).

Pure part: :func:`score_customers` (customer summary in, scores out). Service part:
:func:`fit_scores` reads the orders through :mod:`retain.store.frames`, scores and stores
through :mod:`retain.store.clv` (one current fit and one score row per customer and
model; a refit replaces them).

Units: the models are fitted in days on :func:`retain.analytics.customer_summary`
(``freq="D"``); a month is 365.25 / 12 days; money in integer minor units of the
business currency; ``discount_rate`` is annual and applied monthly as
(1 + d)^(1/12) - 1.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd

from retain.clv.beta_geo import BetaGeo, ModifiedBetaGeo
from retain.clv.gamma_gamma import GammaGamma
from retain.clv.pareto_nbd import ParetoNBD
from retain.clv.trust import TrustReport, fit_small_data
from retain.clv.value import customer_lifetime_value
from retain.errors import InvalidInputError, NotFoundError, RetainError

__all__ = [
    "DAYS_PER_MONTH",
    "MIN_REPEAT_BUYERS",
    "MODELS",
    "ScoreRun",
    "evaluate_models",
    "fit_scores",
    "latest_scores",
    "load_models",
    "orders_in",
    "profit_table",
    "purchases_log",
    "read_orders",
    "score_customers",
    "score_intervals",
    "stored_fits",
    "stored_intervals",
    "unprofitable_relationships",
]

#: model names of the CLI and the store -> transaction model class
MODELS: dict[str, type] = {"bgnbd": BetaGeo, "mbgnbd": ModifiedBetaGeo, "pareto": ParetoNBD}
DAYS_PER_MONTH = 365.25 / 12
#: below this many repeat buyers the purchase models are not fitted at all
MIN_REPEAT_BUYERS = 10
#: the cost to serve is projected as if a relationship were at least this old (months), so
#: a new customer's first contacts (welcome, after-sale follow-up) are not taken as a habit
MIN_TENURE_MONTHS = 3.0
#: bumped when the way scores are computed changes (part of ``model_version``)
SCORING_VERSION = 1
LATEST_COLUMNS = ("customer_id", "p_alive", "clv_minor", "expected_purchases", "model", "as_of")


@dataclass
class ScoreRun:
    """A fit and its scores. ``fit``: the row stored in ``clv_fits`` (model, model_version,
    as_of, horizon_months, discount_rate, currency, params, model_json, spend_json,
    log_likelihood, customers, repeat_buyers, trust_level, trust_message, fitted_at);
    ``scores``: customer_id, p_alive, expected_purchases, expected_spend_minor, clv_minor."""

    fit: dict[str, Any]
    scores: pd.DataFrame
    trust: TrustReport
    model: Any
    spend: GammaGamma | None
    summary: pd.DataFrame = field(repr=False)


def _monthly(annual: float) -> float:
    if not (math.isfinite(annual) and annual > -1):
        raise InvalidInputError(f"the discount rate must be a yearly rate above -1; got {annual}.")
    return (1.0 + annual) ** (1.0 / 12.0) - 1.0


def _spend_model(
    f: np.ndarray, m: np.ndarray, mean_order: np.ndarray
) -> tuple[np.ndarray, GammaGamma | None]:
    """Expected spend per purchase (minor units): Gamma-Gamma where it fits (Fader, Hardie &
    Lee 2005, JMR, eq. 5), else each customer's mean order value."""
    repeat = (f > 0) & (m > 0)
    if repeat.sum() >= MIN_REPEAT_BUYERS:
        try:
            gg, _ = fit_small_data(GammaGamma, f[repeat], m[repeat])
            spend = gg.conditional_expected_average_spend(f, np.where(f > 0, m, 0.0))
            if np.all(np.isfinite(spend)) and np.all(spend >= 0):
                return np.asarray(spend, dtype=float), gg
        except RetainError:
            pass
    return np.maximum(mean_order, 0.0), None


def score_customers(
    summary: pd.DataFrame,
    *,
    as_of: date,
    model: str = "bgnbd",
    horizon_months: int = 12,
    discount_rate: float = 0.10,
    currency: str,
    fitted_at: datetime,
    min_repeat_buyers: int = MIN_REPEAT_BUYERS,
) -> ScoreRun:
    """Fit ``model`` (bgnbd, mbgnbd, pareto) and Gamma-Gamma on ``summary`` and score it.

    ``summary``: :func:`retain.analytics.customer_summary` in days, money in minor units
    (columns customer_id, frequency, recency, T, monetary_value, revenue, orders).
    Customers first seen on ``as_of`` (T = 0) are left out of the fit and scored as one
    day old. Fewer than 500 repeat buyers: a penalised fit (:mod:`retain.clv.trust`).
    Raises InvalidInputError with fewer than ``min_repeat_buyers`` repeat buyers.
    """
    if model not in MODELS:
        raise InvalidInputError(f"unknown model {model!r}; use one of {', '.join(MODELS)}.")
    if int(horizon_months) != horizon_months or horizon_months < 1:
        raise InvalidInputError(f"the horizon must be whole months >= 1; got {horizon_months}.")
    monthly = _monthly(discount_rate)
    f = summary["frequency"].to_numpy(dtype=float)
    r = summary["recency"].to_numpy(dtype=float)
    big_t = summary["T"].to_numpy(dtype=float)
    repeat_buyers = int((f > 0).sum())
    if repeat_buyers < min_repeat_buyers:
        raise InvalidInputError(
            f"only {repeat_buyers} of {len(summary)} customers bought again by {as_of}: the "
            f"CLV models need at least {min_repeat_buyers} repeat buyers to tell buying rates "
            "from drop-out. Import more order history or choose a later --as-of."
        )
    seen = big_t > 0
    fitted, trust = fit_small_data(MODELS[model], f[seen], r[seen], big_t[seen])
    t_score = np.maximum(big_t, 1.0)
    horizon_days = horizon_months * DAYS_PER_MONTH
    p_alive = np.clip(fitted.probability_alive(f, r, t_score), 0.0, 1.0)
    expected = np.maximum(fitted.conditional_expected_purchases(horizon_days, f, r, t_score), 0.0)
    mean_order = (summary["revenue"] / summary["orders"].clip(lower=1)).to_numpy(dtype=float)
    spend, gg = _spend_model(f, summary["monetary_value"].to_numpy(dtype=float), mean_order)
    clv = customer_lifetime_value(
        fitted,
        spend,
        f,
        r,
        t_score,
        months=int(horizon_months),
        discount_rate=monthly,
        periods_per_month=DAYS_PER_MONTH,
    )
    scores = pd.DataFrame(
        {
            "customer_id": summary["customer_id"].to_numpy(dtype="int64"),
            "p_alive": p_alive,
            "expected_purchases": expected,
            "expected_spend_minor": np.rint(spend).astype("int64"),
            "clv_minor": np.rint(np.maximum(clv, 0.0)).astype("int64"),
        }
    )
    params = {
        "purchases": dict(fitted.params_),
        "spend": dict(gg.params_) if gg is not None else None,
        "period": "day",
    }
    digest = hashlib.sha1(json.dumps(params, sort_keys=True).encode()).hexdigest()[:8]
    fit = {
        "model": model,
        "model_version": f"{model}-v{SCORING_VERSION}-{as_of:%Y%m%d}-{digest}",
        "as_of": as_of,
        "horizon_months": int(horizon_months),
        "discount_rate": float(discount_rate),
        "currency": currency,
        "params": params,
        "model_json": fitted.to_json(),
        "spend_json": gg.to_json() if gg is not None else None,
        "log_likelihood": float(fitted.log_likelihood_),
        "customers": len(summary),
        "repeat_buyers": repeat_buyers,
        "trust_level": trust.level,
        "trust_message": trust.message,
        "fitted_at": fitted_at,
    }
    return ScoreRun(fit, scores, trust, fitted, gg, summary)


def orders_in(store: Any, currency: str | None) -> tuple[Any, str]:
    """The store's orders in ``currency`` as Arrow (columns of :mod:`retain.store.frames`),
    and that currency. ``currency=None`` (no business currency configured): the orders'
    own currency when they are all in one; several is an error that lists them."""
    import pyarrow.compute as pc

    from retain.store.frames import read_arrow

    orders = read_arrow(store, "orders")
    found = sorted(str(c) for c in pc.unique(orders.column("currency")).to_pylist() if c)
    advice = "set currency in the [business] section of retain.toml or RETAIN_CURRENCY"
    if currency is None:
        if len(found) > 1:
            raise InvalidInputError(f"the orders are in {', '.join(found)}: {advice}.")
        return orders, (found[0] if found else "USD")
    kept = orders.filter(pc.equal(orders.column("currency"), currency))
    if kept.num_rows == 0 and orders.num_rows > 0:
        raise InvalidInputError(
            f"no orders in the business currency {currency} (the orders are in "
            f"{', '.join(found)}): {advice}."
        )
    return kept, currency


def read_orders(store: Any, currency: str | None) -> Any:
    """The orders of :func:`orders_in` without the currency."""
    return orders_in(store, currency)[0]


def fit_scores(
    store: Any,
    *,
    as_of: date,
    model: str = "bgnbd",
    horizon_months: int = 12,
    discount_rate: float = 0.10,
    currency: str | None,
    fitted_at: datetime,
) -> ScoreRun:
    """Fit on the store's orders up to ``as_of`` (that whole day), score every customer with
    a purchase, and store the fit and scores (replacing the model's previous ones).
    ``currency``: the business currency, or None for the orders' own (:func:`orders_in`)."""
    from retain.analytics import customer_summary
    from retain.store.clv import replace_scores

    orders, currency = orders_in(store, currency)
    summary = customer_summary(orders, as_of=as_of, freq="D")
    run = score_customers(
        summary,
        as_of=as_of,
        model=model,
        horizon_months=horizon_months,
        discount_rate=discount_rate,
        currency=currency,
        fitted_at=fitted_at,
    )
    replace_scores(store, run.fit, run.scores)
    return run


def stored_fits(store: Any) -> list[dict[str, Any]]:
    """The current fit of each model, newest first (rows of ``clv_fits`` as dicts)."""
    from retain.store.clv import read_fits

    return read_fits(store)


def latest_scores(store: Any, model: str | None = None) -> pd.DataFrame:
    """The stored scores of ``model`` (default: the most recently fitted model).

    Columns: customer_id (the store's id), p_alive, clv_minor, expected_purchases, model,
    as_of, then external_id, expected_spend_minor, horizon_months, currency,
    model_version, fitted_at. Empty (with those columns) when nothing was fitted yet.
    """
    from retain.store.clv import read_scores

    fits = stored_fits(store)
    if model is None:
        model = fits[0]["model"] if fits else "bgnbd"  # nothing fitted: no rows
    elif model not in MODELS:
        raise InvalidInputError(f"unknown model {model!r}; use one of {', '.join(MODELS)}.")
    frame = read_scores(store, model)
    rest = [c for c in frame.columns if c not in LATEST_COLUMNS]
    return frame[list(LATEST_COLUMNS) + rest]


def load_models(store: Any, model: str | None = None) -> tuple[dict[str, Any], Any, Any]:
    """The stored fit of ``model`` (default: the newest) and its models rebuilt from JSON:
    (fit row, transaction model, GammaGamma or None). NotFoundError when none is stored."""
    fits = stored_fits(store)
    match = [f for f in fits if model is None or f["model"] == model]
    if not match:
        which = f"model {model!r}" if model else "any model"
        raise NotFoundError(f"no CLV fit of {which} is stored: run `retain clv fit` first.")
    fit = match[0]
    transaction = MODELS[fit["model"]].from_json(fit["model_json"])
    spend = GammaGamma.from_json(fit["spend_json"]) if fit["spend_json"] else None
    return fit, transaction, spend


def purchases_log(orders: Any) -> pd.DataFrame:
    """Purchases of an orders table (Arrow or pandas with customer_id, ordered_at, amount,
    refunded, status) as the transaction log of :mod:`retain.clv.evaluation`: orders not
    cancelled, failed, pending or refunded, valued ``amount - refunded`` (minor units)."""
    from retain.analytics.tables import NOT_PURCHASED

    frame = orders if isinstance(orders, pd.DataFrame) else orders.to_pandas()
    value = frame["amount"] - frame["refunded"].fillna(0)
    kept = ~frame["status"].isin(NOT_PURCHASED) & (value > 0)
    out = frame.loc[kept, ["customer_id", "ordered_at"]].copy()
    out["amount"] = value[kept].astype(float)
    return out.reset_index(drop=True)


def evaluate_models(
    transactions: pd.DataFrame, *, as_of: date, holdout_months: int = 6
) -> tuple[pd.DataFrame, dict[str, pd.DataFrame], dict[str, str]]:
    """Which purchase model fits this business best: every model of :data:`MODELS` fitted
    on the purchases up to ``as_of`` minus ``holdout_months`` and scored on the holdout
    that follows (Fader, Hardie & Lee 2005, section 4), against the naive past rate.

    Returns the comparison (:func:`retain.clv.evaluation.compare_models`, best first, a
    ``model`` column), the per-frequency holdout table of each fitted model, and the
    models that could not be fitted with the reason.
    """
    from retain.clv.evaluation import (
        calibration_holdout,
        compare_models,
        holdout_by_frequency,
        holdout_predictions,
    )

    if int(holdout_months) != holdout_months or holdout_months < 1:
        raise InvalidInputError(f"the holdout must be whole months >= 1; got {holdout_months}.")
    cal_end = (pd.Timestamp(as_of) - pd.DateOffset(months=int(holdout_months))).date()
    frame = calibration_holdout(transactions, cal_end, as_of, period="D")
    frame = frame[frame["T_cal"] > 0]
    repeat = int((frame["frequency_cal"] > 0).sum())
    if repeat < MIN_REPEAT_BUYERS:
        raise InvalidInputError(
            f"only {repeat} customers bought again by the end of calibration ({cal_end}): the "
            f"comparison needs at least {MIN_REPEAT_BUYERS}. Use a shorter --holdout or a "
            "later --as-of."
        )
    fitted, failed = {}, {}
    for name, cls in MODELS.items():
        try:
            fitted[name], _ = fit_small_data(
                cls, frame["frequency_cal"], frame["recency_cal"], frame["T_cal"]
            )
        except RetainError as exc:
            failed[name] = exc.message
    if not fitted:
        raise InvalidInputError(
            "no model could be fitted on the calibration period: "
            + "; ".join(f"{k}: {v}" for k, v in failed.items())
        )
    table = compare_models(fitted, frame).reset_index()
    buckets = {k: holdout_by_frequency(holdout_predictions(m, frame)) for k, m in fitted.items()}
    return table, buckets, failed


def profit_table(
    summary: pd.DataFrame,
    service: pd.DataFrame,
    *,
    digits: int,
    cost_per_case: float,
    cost_per_touchpoint: float,
    scores: pd.DataFrame | None = None,
    horizon_months: int | None = None,
) -> pd.DataFrame:
    """Margin to date and expected future margin per customer, in money units (minor units
    / 10**digits), by :func:`retain.clv.profitability.profitability`.

    ``summary``: customer summary (revenue net of refunds, refunds, T in days; minor
    units); ``service``: customer_id, cost_minor, cases, touchpoints; ``scores``: stored
    scores (customer_id, clv_minor), whose CLV (revenue) is turned into margin at the
    customer's own gross-margin rate to date ((revenue - cost) / revenue, within [0, 1]).
    Customers with cases or touchpoints but no purchase are included (revenue 0). The
    cost to serve is carried over the horizon at its past monthly rate, with the tenure
    counted as at least ``MIN_TENURE_MONTHS``.
    """
    from retain.clv.profitability import profitability

    scale = 10.0**digits
    base = summary[["customer_id", "revenue", "refunds", "T"]].merge(
        service, on="customer_id", how="outer"
    )
    base = base.fillna({"revenue": 0, "refunds": 0, "cost_minor": 0, "cases": 0, "touchpoints": 0})
    net = base["revenue"].astype(float)
    table = pd.DataFrame(
        {
            "customer_id": base["customer_id"].astype("int64"),
            "revenue": (net + base["refunds"]) / scale,
            "refunds": base["refunds"] / scale,
            "cost": base["cost_minor"] / scale,
            "cases": base["cases"],
            "touchpoints": base["touchpoints"],
            "tenure": np.maximum(base["T"] / DAYS_PER_MONTH, MIN_TENURE_MONTHS),
        }
    )
    future = None
    if scores is not None and len(scores):
        with np.errstate(divide="ignore", invalid="ignore"):
            rate = np.where(net > 0, (net - base["cost_minor"]) / net, 1.0)
        rate = pd.Series(np.clip(rate, 0.0, 1.0), index=table["customer_id"])
        clv = scores.set_index("customer_id")["clv_minor"].astype(float) / scale
        future = (clv * rate.reindex(clv.index).fillna(1.0)).rename("future_value")
    return profitability(
        table,
        cost_per_case=cost_per_case,
        cost_per_touchpoint=cost_per_touchpoint,
        future_value=future,
        horizon=horizon_months if future is not None else None,
    )


def score_intervals(
    summary: pd.DataFrame, model: Any, *, horizon_months: int, level: float = 0.9
) -> pd.DataFrame:
    """Bounds that carry the parameter uncertainty (:func:`retain.clv.trust.prediction_interval`)
    for the customers of ``summary`` (customer_id, frequency, recency, T in days): columns
    customer_id, p_alive_low, p_alive_high, expected_purchases_low, expected_purchases_high
    (over ``horizon_months``). NaN bounds when the fit's covariance is unknown."""
    from retain.clv.trust import prediction_interval

    f = summary["frequency"].to_numpy(dtype=float)
    r = summary["recency"].to_numpy(dtype=float)
    t = np.maximum(summary["T"].to_numpy(dtype=float), 1.0)
    alive = prediction_interval(model, "probability_alive", f, r, t, level=level)
    days = horizon_months * DAYS_PER_MONTH
    bought = prediction_interval(
        model, "conditional_expected_purchases", days, f, r, t, level=level
    )
    return pd.DataFrame(
        {
            "customer_id": summary["customer_id"].to_numpy(),
            "p_alive_low": np.clip(alive[0], 0.0, 1.0),
            "p_alive_high": np.clip(alive[1], 0.0, 1.0),
            "expected_purchases_low": bought[0],
            "expected_purchases_high": bought[1],
        }
    )


def stored_intervals(
    store: Any, fit: dict[str, Any], model: Any, customer_ids: Any, level: float = 0.9
) -> pd.DataFrame:
    """:func:`score_intervals` for the stored ``fit`` (and its ``model``, from
    :func:`load_models`) and the customers ``customer_ids`` (store ids), from their
    histories as of the fit's date."""
    from retain.analytics import customer_summary

    summary = customer_summary(read_orders(store, fit["currency"]), as_of=fit["as_of"])
    summary = summary[summary["customer_id"].isin(list(customer_ids))]
    return score_intervals(summary, model, horizon_months=int(fit["horizon_months"]), level=level)


def unprofitable_relationships(
    store: Any,
    *,
    as_of: date,
    currency: str | None,
    cost_per_case: float,
    cost_per_touchpoint: float,
    model: str | None = None,
) -> pd.DataFrame:
    """The relationships with a negative expected margin as of ``as_of``, worst first, with
    the evidence (:func:`profit_table` on the store's orders, cases and touchpoints, and the
    stored CLV of ``model``, the newest fit by default; the margin to date without one).

    Columns: customer_id (store id), external_id, margin, future_value, future_margin
    (money units of ``currency``), currency, evidence. Nothing is changed or deleted.
    """
    from retain.analytics import customer_summary
    from retain.clv.profitability import unprofitable
    from retain.ingest.values import minor_unit_digits
    from retain.store.clv import service
    from retain.store.frames import read_arrow

    orders, currency = orders_in(store, currency)
    summary = customer_summary(orders, as_of=as_of)
    scores = latest_scores(store, model)
    table = profit_table(
        summary,
        service(store, as_of),
        digits=minor_unit_digits(currency),
        cost_per_case=cost_per_case,
        cost_per_touchpoint=cost_per_touchpoint,
        scores=scores if len(scores) else None,
        horizon_months=int(scores["horizon_months"].iloc[0]) if len(scores) else None,
    )
    worst = unprofitable(table)
    people = read_arrow(store, "customers").select(["customer_id", "external_id"]).to_pandas()
    worst = worst.merge(people, on="customer_id", how="left")
    worst["currency"] = currency
    cols = ["customer_id", "external_id", "margin", "future_value", "future_margin"]
    return worst[[*cols, "currency", "evidence"]]
