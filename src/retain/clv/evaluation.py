"""Calibration/holdout evaluation of the purchase models (pure functions on tables).

The standard check of Fader, Hardie & Lee (2005, section 4): fit on a
calibration period, predict each customer's purchases in the holdout period
that follows, and compare with what they did, per calibration-frequency bucket
and per customer, against a naive baseline (each customer's past repeat rate
carried forward).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd

from retain.errors import InvalidInputError, MissingColumnsError

__all__ = [
    "calibration_holdout",
    "compare_models",
    "error_metrics",
    "holdout_by_frequency",
    "holdout_predictions",
]

_PERIOD_DAYS = {"D": 1.0, "W": 7.0}
_NEEDED = ("customer_id", "ordered_at", "amount")


def _day(value: date | datetime | str, name: str) -> pd.Timestamp:
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError) as exc:
        raise InvalidInputError(f"{name} must be a date; got {value!r}.") from exc
    if stamp.tzinfo is not None:
        stamp = stamp.tz_convert("UTC").tz_localize(None)
    return stamp.normalize()


def calibration_holdout(
    transactions: pd.DataFrame,
    calibration_end: date | datetime | str,
    holdout_end: date | datetime | str,
    *,
    period: str = "D",
) -> pd.DataFrame:
    """Per-customer calibration summary and holdout outcome from a transaction log.

    ``transactions``: a DataFrame with ``customer_id``, ``ordered_at`` (date or
    timestamp; UTC when aware) and ``amount`` (money). Purchases are counted per
    day (several orders on one day are one purchase, amounts summed). Customers
    whose first purchase falls after ``calibration_end`` are left out.

    Columns (times in ``period`` units, "D" days or "W" weeks, fractional):
    ``frequency_cal`` (repeat purchase days up to calibration_end),
    ``recency_cal`` (first to last purchase), ``T_cal`` (first purchase to
    calibration_end), ``monetary_value_cal`` (mean amount of the repeat purchase
    days, 0 without), ``frequency_holdout`` (purchase days in
    (calibration_end, holdout_end]), ``duration_holdout``. Indexed by customer_id.
    """
    missing = [c for c in _NEEDED if c not in transactions.columns]
    if missing:
        raise MissingColumnsError("the transaction log", missing, list(transactions.columns))
    if period not in _PERIOD_DAYS:
        raise InvalidInputError(f"period must be 'D' (days) or 'W' (weeks); got {period!r}.")
    cal_end = _day(calibration_end, "calibration_end")
    hold_end = _day(holdout_end, "holdout_end")
    if hold_end <= cal_end:
        raise InvalidInputError(
            f"holdout_end ({hold_end.date()}) must come after calibration_end ({cal_end.date()})."
        )
    stamps = pd.to_datetime(transactions["ordered_at"])
    if getattr(stamps.dt, "tz", None) is not None:
        stamps = stamps.dt.tz_convert("UTC").dt.tz_localize(None)
    amounts = pd.to_numeric(transactions["amount"], errors="coerce")
    bad = amounts.isna() | stamps.isna()
    if bad.any():
        rows = list(transactions.index[bad][:5])
        raise InvalidInputError(
            f"{int(bad.sum())} transaction(s) have no usable date or amount, e.g. rows {rows}. "
            "Fix or drop them first."
        )
    days = pd.DataFrame(
        {"customer_id": transactions["customer_id"].to_numpy(), "day": stamps.dt.normalize()}
    )
    days["amount"] = amounts.to_numpy()
    days = days[days["day"] <= hold_end]
    daily = days.groupby(["customer_id", "day"], sort=True)["amount"].sum().reset_index()
    first = daily.groupby("customer_id")["day"].transform("min")
    daily = daily[first <= cal_end].assign(first=first[first <= cal_end])
    cal = daily[daily["day"] <= cal_end]
    hold = daily[daily["day"] > cal_end]
    unit = _PERIOD_DAYS[period]
    grouped = cal.groupby("customer_id")
    out = pd.DataFrame(
        {
            "frequency_cal": grouped.size() - 1,
            "recency_cal": (grouped["day"].max() - grouped["first"].min()).dt.days / unit,
            "T_cal": (cal_end - grouped["first"].min()).dt.days / unit,
        }
    )
    repeat = cal[cal["day"] > cal["first"]].groupby("customer_id")["amount"].mean()
    out["monetary_value_cal"] = repeat.reindex(out.index).fillna(0.0)
    out["frequency_holdout"] = hold.groupby("customer_id").size().reindex(out.index).fillna(0)
    out["frequency_holdout"] = out["frequency_holdout"].astype(int)
    out["duration_holdout"] = (hold_end - cal_end).days / unit
    out["frequency_cal"] = out["frequency_cal"].astype(int)
    return out


def holdout_predictions(model: Any, frame: pd.DataFrame) -> pd.DataFrame:
    """Actual, model-predicted and naive holdout purchases per customer.

    ``frame``: the output of ``calibration_holdout``. The naive baseline carries
    each customer's calibration repeat rate (frequency / T) forward.
    """
    predicted = model.conditional_expected_purchases(
        frame["duration_holdout"].to_numpy(),
        frame["frequency_cal"].to_numpy(),
        frame["recency_cal"].to_numpy(),
        frame["T_cal"].to_numpy(),
    )
    naive = frame["frequency_cal"] / frame["T_cal"] * frame["duration_holdout"]
    return pd.DataFrame(
        {
            "frequency_cal": frame["frequency_cal"],
            "actual": frame["frequency_holdout"].astype(float),
            "predicted": predicted,
            "naive": naive.astype(float),
        },
        index=frame.index,
    )


def holdout_by_frequency(predictions: pd.DataFrame, max_bucket: int = 7) -> pd.DataFrame:
    """Mean actual, predicted and naive holdout purchases per calibration frequency
    (0, 1, ..., ``max_bucket``+), with the number of customers: the table behind
    FHL 2005 Figure 4 ("conditional expectations")."""
    bucket = predictions["frequency_cal"].clip(upper=max_bucket)
    table = predictions.groupby(bucket)[["actual", "predicted", "naive"]].mean()
    table.insert(0, "customers", predictions.groupby(bucket).size())
    table.index = [f"{b}+" if b == max_bucket else str(b) for b in table.index]
    table.index.name = "frequency_cal"
    return table


def error_metrics(actual: Any, predicted: Any) -> dict[str, float]:
    """Per-customer MAE and RMSE, and the aggregate error (sum predicted - sum actual)
    as a share of the actual total."""
    a = np.asarray(actual, dtype=float)
    p = np.asarray(predicted, dtype=float)
    err = p - a
    total = float(a.sum())
    return {
        "mae": float(np.mean(np.abs(err))),
        "rmse": float(np.sqrt(np.mean(err**2))),
        "total_actual": total,
        "total_predicted": float(p.sum()),
        "aggregate_error": float(err.sum() / total) if total else float("nan"),
    }


def compare_models(models: Mapping[str, Any], frame: pd.DataFrame) -> pd.DataFrame:
    """Which model fits this business best: holdout errors of each fitted model and of
    the naive baseline, sorted by per-customer RMSE (best first).

    ``models``: name -> a model fitted on the calibration columns of ``frame``
    (the output of ``calibration_holdout``). Columns: mae, rmse, total_actual,
    total_predicted, aggregate_error, log_likelihood (calibration), parameters, aic.
    """
    if not models:
        raise InvalidInputError("compare_models needs at least one fitted model.")
    rows = {}
    naive = None
    for name, model in models.items():
        pred = holdout_predictions(model, frame)
        naive = pred
        row = error_metrics(pred["actual"], pred["predicted"])
        k = len(model.params_)
        row.update(
            log_likelihood=model.log_likelihood_,
            parameters=k,
            aic=2 * k - 2 * model.log_likelihood_,
        )
        rows[name] = row
    assert naive is not None
    base = error_metrics(naive["actual"], naive["naive"])
    base.update(log_likelihood=float("nan"), parameters=0, aic=float("nan"))
    rows["naive (past rate)"] = base
    table = pd.DataFrame.from_dict(rows, orient="index").sort_values("rmse")
    table.index.name = "model"
    return table
