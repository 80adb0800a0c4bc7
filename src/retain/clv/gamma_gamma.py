"""Gamma-Gamma model of spend per transaction.

Fader, Hardie & Lee (2005), "RFM and CLV: Using Iso-Value Curves for Customer
Base Analysis", Journal of Marketing Research 42(4), and Fader & Hardie (2013),
"The Gamma-Gamma Model of Monetary Value" (http://brucehardie.com/notes/025/).
Each transaction value is Gamma(p, ν); ν varies across customers as
Gamma(q, v). The model takes the mean spend of a customer's repeat purchases
(``monetary_value``, in money units) and their number (``frequency``);
customers with frequency 0 carry no spend information and are ignored.
"""

from __future__ import annotations

from typing import Any, ClassVar, Self

import numpy as np
import pandas as pd
from scipy.special import digamma, gammaln

from retain.clv._base import FittedModel
from retain.clv._inputs import as_column, labels_of, unique_rows
from retain.clv._quadrature import dot
from retain.errors import InvalidInputError

__all__ = ["GammaGamma"]


def _spend_inputs(
    frequency: Any, monetary_value: Any, weights: Any = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    n = np.asarray(frequency).size
    labels = labels_of(frequency, n)
    x = as_column(frequency, "frequency", labels=labels)
    m = as_column(monetary_value, "monetary_value", labels=labels)
    w = np.ones_like(x) if weights is None else as_column(weights, "weights", labels=labels)
    if not (x.size == m.size == w.size):
        raise InvalidInputError(
            f"frequency ({x.size}), monetary_value ({m.size}) and weights ({w.size}) "
            "must have the same length."
        )
    bad = (x > 0) & (m <= 0)
    if bad.any():
        rows = np.flatnonzero(bad)[:5]
        shown = "; ".join(f"row {labels[i]!r} (monetary_value={m[i]:g})" for i in rows)
        raise InvalidInputError(
            "monetary_value must be positive for customers with repeat purchases; "
            f"{int(bad.sum())} are not: {shown}. Drop refunds-only customers or zero-value orders."
        )
    return x, m, w, labels


def spend_data(x: np.ndarray, m: np.ndarray, w: np.ndarray) -> dict:
    """Prepared repeat-buyer data: identical (frequency, mean spend) rows merged with
    weights (spends in cents repeat a lot), plus per-frequency totals."""
    (ux, um), inverse = unique_rows(x, m)
    uw = np.bincount(inverse, weights=w, minlength=ux.size)
    (xs,), ix = unique_rows(ux)
    log_m = np.log(um)
    wx = uw * ux
    return {
        "x": ux,
        "m": um,
        "w": uw,
        "wx": wx,
        "mx": um * ux,
        "xs": xs,
        "Wx": np.bincount(ix, weights=uw, minlength=xs.size),
        "sum_wx_log_m": dot(wx, log_m),
        "sum_w_log_m": dot(uw, log_m),
    }


class GammaGamma(FittedModel):
    """Gamma-Gamma spend model: parameters ``p, q, v`` (v in money units).

    ``GammaGamma().fit(frequency, monetary_value, weights=None)`` maximises the
    full log-likelihood of the mean spend (Fader & Hardie 2013 note 025, eq. 1a;
    p=6.25, q=3.74, v=15.44 on the CDNOW sample).
    """

    param_names: ClassVar[tuple[str, ...]] = ("p", "q", "v")
    paper = "Fader, Hardie & Lee (2005), JMR 42(4); Fader & Hardie (2013) note 025"

    def fit(self, frequency: Any, monetary_value: Any, weights: Any = None) -> Self:
        """Fit on the repeat buyers (frequency > 0); returns self."""
        x, m, w, _ = _spend_inputs(frequency, monetary_value, weights)
        keep = (x > 0) & (w > 0)
        if not keep.any():
            raise InvalidInputError(
                "GammaGamma needs customers with repeat purchases (frequency > 0); there are none."
            )
        return self._fit_prepared(spend_data(x[keep], m[keep], w[keep]))

    def _n_rows(self, data: dict) -> int:
        return int(data["x"].size)

    def _subsample(self, data: dict, rows: np.ndarray, weights: np.ndarray) -> dict:
        return spend_data(data["x"][rows], data["m"][rows], weights)

    def _starts(self, data: dict) -> list[np.ndarray]:
        mean = dot(data["w"], data["m"]) / float(data["w"].sum())
        return [
            np.array([1.0, 2.0, mean]),
            np.array([4.0, 4.0, 0.75 * mean]),
            np.array([0.5, 1.5, mean]),
        ]

    def _loglik(self, theta: np.ndarray, data: dict) -> tuple[float, np.ndarray]:
        """Sum over repeat buyers of log f(mean spend | x): lnΓ(px+q) - lnΓ(px) - lnΓ(q)
        + q ln v + (px-1) ln m + px ln x - (px+q) ln(v + m x) (note 025, eq. 1a)."""
        p, q, v = theta
        xs, wx_by_x = data["xs"], data["Wx"]
        w, wx = data["w"], data["wx"]
        total_w = float(wx_by_x.sum())
        denom = v + data["mx"]
        big_l = np.log(denom)
        px = p * xs
        ll = float((gammaln(px + q) - gammaln(px) + px * np.log(xs)) @ wx_by_x)
        ll += total_w * (q * np.log(v) - gammaln(q))
        ll += p * data["sum_wx_log_m"] - data["sum_w_log_m"]
        sum_wx_l = dot(wx, big_l)
        sum_w_l = dot(w, big_l)
        ll -= p * sum_wx_l + q * sum_w_l
        g_p = float((xs * (digamma(px + q) - digamma(px) + np.log(xs))) @ wx_by_x)
        g_p += data["sum_wx_log_m"] - sum_wx_l
        g_q = float(digamma(px + q) @ wx_by_x) + total_w * (np.log(v) - digamma(q)) - sum_w_l
        inv = 1.0 / denom
        g_v = total_w * q / v - p * dot(wx, inv) - q * dot(w, inv)
        return ll, np.array([g_p, g_q, g_v])

    def conditional_expected_average_spend(self, frequency: Any, monetary_value: Any) -> np.ndarray:
        """E[spend per transaction | x, mean spend m] = p (v + x m) / (p x + q - 1)
        (Fader, Hardie & Lee 2005 JMR, eq. 5; note 025, eq. 5), a weighted average of
        the population mean p v / (q - 1) and the customer's own mean. Customers with
        frequency 0 get the population mean. Needs q > 1."""
        self._require_fitted()
        p, q, v = self._theta
        if q <= 1:
            raise InvalidInputError(
                f"the fitted q={q:.3g} is not above 1, so the mean spend per transaction is "
                "infinite under this model; refit with a penalty or more repeat buyers."
            )
        x, m, _, _ = _spend_inputs(frequency, monetary_value)
        m = np.where(x > 0, m, 0.0)
        return p * (v + x * m) / (p * x + q - 1.0)

    def expected_average_spend(self) -> float:
        """Population mean spend per transaction, p v / (q - 1) (needs q > 1)."""
        self._require_fitted()
        p, q, v = self._theta
        if q <= 1:
            raise InvalidInputError(f"the fitted q={q:.3g} is not above 1: the mean is infinite.")
        return float(p * v / (q - 1.0))

    def simulate(
        self, frequency: Any, seed: int | np.random.Generator | None = None
    ) -> pd.DataFrame:
        """Simulate mean spends for customers with the given frequencies: columns
        ``frequency, monetary_value`` (0 where frequency is 0). ν ~ Gamma(q, rate v);
        the mean of x Gamma(p, rate ν) values is Gamma(p x, rate ν x)."""
        self._require_fitted()
        p, q, v = self._theta
        rng = np.random.default_rng(seed)
        x = as_column(frequency, "frequency")
        nu = rng.gamma(q, 1.0 / v, x.size)
        pos = x > 0
        m = np.zeros(x.size)
        m[pos] = rng.gamma(p * x[pos], 1.0 / (nu[pos] * x[pos]))
        return pd.DataFrame({"frequency": x, "monetary_value": m})
