"""How far to trust a fit: plain-language verdicts for small shops, and prediction
intervals that carry the parameter uncertainty.

Commercial tools refuse to predict below about 500 buyers. Retain predicts
anyway, with a penalised fit when the data are thin, and says plainly how much
weight the figures can bear: by the number of repeat buyers (the customers who
tell a purchase model anything about rates and drop-out) and by the relative
standard errors of the estimates.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from retain.clv._inputs import as_column

__all__ = ["TrustReport", "assess_fit", "fit_small_data", "prediction_interval"]

# below these, predictions are rough (fair) or only a ranking (poor)
_FAIR_REPEAT_BUYERS = 500
_POOR_REPEAT_BUYERS = 100
_FAIR_RELATIVE_SE = 0.2
_POOR_RELATIVE_SE = 0.5
SMALL_DATA_PENALIZER = 0.01


@dataclass(frozen=True)
class TrustReport:
    """``level``: "good", "fair" or "poor"; ``message``: what it means for the owner."""

    level: str
    customers: float
    repeat_buyers: float
    worst_parameter: str
    worst_relative_se: float
    message: str


def assess_fit(model: Any, frequency: Any, weights: Any = None) -> TrustReport:
    """Judge a fitted model by the data it was fitted on (``frequency`` column, and
    ``weights`` if the fit used them)."""
    x = as_column(frequency, "frequency")
    w = np.ones_like(x) if weights is None else as_column(weights, "weights")
    customers = float(w.sum())
    repeat = float(w[x > 0].sum())
    ratios = {
        k: (model.standard_errors_.get(k, math.nan) / v if v > 0 else math.nan)
        for k, v in model.params_.items()
    }
    worst = max(ratios, key=lambda k: math.inf if math.isnan(ratios[k]) else ratios[k])
    worst_ratio = ratios[worst]
    if math.isnan(worst_ratio) or repeat < _POOR_REPEAT_BUYERS or worst_ratio > _POOR_RELATIVE_SE:
        level = "poor"
    elif repeat < _FAIR_REPEAT_BUYERS or worst_ratio > _FAIR_RELATIVE_SE:
        level = "fair"
    else:
        level = "good"
    basis = f"Based on {repeat:,.0f} repeat buyers among {customers:,.0f} customers."
    if math.isnan(worst_ratio):
        spread = "The data cannot pin down all the model's parameters."
    else:
        spread = f"The least certain parameter, {worst}, is uncertain by about ±{worst_ratio:.0%}."
    advice = {
        "good": "The predictions can be used as figures.",
        "fair": (
            "Use the predictions to rank customers and for rough totals, not as exact "
            f"figures; they firm up past {_FAIR_REPEAT_BUYERS} repeat buyers."
        ),
        "poor": (
            "Treat the predictions as a ranking only (who is more likely active or more "
            "valuable), and look at the prediction intervals; refit as history grows."
        ),
    }[level]
    return TrustReport(level, customers, repeat, worst, worst_ratio, f"{basis} {spread} {advice}")


def fit_small_data(
    model_cls: type,
    *columns: Any,
    weights: Any = None,
    penalizer: float | None = None,
) -> tuple[Any, TrustReport]:
    """Fit ``model_cls`` on ``columns`` (as its ``fit`` takes them), with a ridge
    penalty of ``SMALL_DATA_PENALIZER`` when there are fewer than 500 repeat buyers
    and no penalizer is given; returns the model and its ``TrustReport``."""
    x = as_column(columns[0], "frequency")
    w = np.ones_like(x) if weights is None else as_column(weights, "weights")
    if penalizer is None:
        penalizer = SMALL_DATA_PENALIZER if w[x > 0].sum() < _FAIR_REPEAT_BUYERS else 0.0
    model = model_cls(penalizer=penalizer).fit(*columns, weights=weights)
    return model, assess_fit(model, x, w)


def prediction_interval(
    model: Any,
    method: str,
    *args: Any,
    level: float = 0.9,
    draws: int = 200,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper bounds of ``model.<method>(*args)`` over the parameter
    uncertainty: parameters drawn from the normal approximation on the log scale
    (covariance from the Hessian), the prediction recomputed for each draw, and the
    central ``level`` share kept. NaN bounds when the covariance is unknown."""
    theta = np.array(list(model.params_.values()))
    base = np.asarray(getattr(model, method)(*args), dtype=float)
    cov = np.asarray(model.covariance_, dtype=float)
    if cov.shape != (theta.size, theta.size) or not np.all(np.isfinite(cov)):
        nan = np.full(base.shape, math.nan)
        return nan, nan
    log_cov = cov / np.outer(theta, theta)
    rng = np.random.default_rng(seed)
    z = rng.multivariate_normal(np.log(theta), log_cov, size=draws, method="eigh")
    clone = type(model)()
    values = []
    for row in z:
        clone.params_ = dict(zip(model.params_, np.exp(row).tolist(), strict=True))
        values.append(np.asarray(getattr(clone, method)(*args), dtype=float))
    stack = np.stack(values)
    tail = (1.0 - level) / 2
    return np.quantile(stack, tail, axis=0), np.quantile(stack, 1.0 - tail, axis=0)
