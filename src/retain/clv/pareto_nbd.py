"""Pareto/NBD: repeat purchases with an exponential lifetime.

Schmittlein, Morrison & Colombo (1987), "Counting Your Customers: Who Are They
and What Will They Do Next?", Management Science 33(1); formulas as in Fader &
Hardie (2005), "A Note on Deriving the Pareto/NBD Model and Related
Expressions" (http://brucehardie.com/notes/009/). While alive a customer buys at
Poisson rate λ ~ Gamma(r, alpha); the lifetime is exponential with rate
μ ~ Gamma(s, beta). Inputs as for ``BetaGeo``: frequency (repeat purchases),
recency and T in one period unit.
"""

from __future__ import annotations

from typing import Any, ClassVar, Self

import numpy as np
import pandas as pd
from scipy.special import digamma, gammaln, logsumexp, roots_jacobi

from retain.clv._base import FittedModel
from retain.clv._inputs import (
    as_column,
    check_rfm,
    horizon_column,
    rfm_data,
    rfm_subsample,
    unique_rows,
)
from retain.clv._quadrature import dot, log_add, pareto_tail_integral
from retain.clv.beta_geo import require_repeat_buyers
from retain.errors import InvalidInputError

__all__ = ["ParetoNBD"]


def _with_pairs(data: dict) -> dict:
    """Add the distinct (frequency, recency) and (frequency, T) pairs at which the tail
    integral G is evaluated, and each row's index into them."""
    n = data["x"].size
    (data["pair_x"], data["pair_c"]), inv = unique_rows(
        np.concatenate([data["x"], data["x"]]), np.concatenate([data["tx"], data["T"]])
    )
    data["i_rec"], data["i_end"] = inv[:n], inv[n:]
    return data


def _pareto_data(x: np.ndarray, tx: np.ndarray, big_t: np.ndarray, w: np.ndarray) -> dict:
    """Compressed rows (see ``rfm_data``) with their G pairs, for fitting."""
    return _with_pairs(rfm_data(x, tx, big_t, w))


def _dropout_growth(e: np.ndarray | float, span: np.ndarray) -> np.ndarray:
    """(1 - exp(-e*span)) / e, equal to span when e = 0 (the s = 1 limit)."""
    e = np.asarray(e, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = -np.expm1(-e * span) / e
    return np.where(np.abs(e) < 1e-10, span, out)


class ParetoNBD(FittedModel):
    """Pareto/NBD model: parameters ``r, alpha, s, beta``.

    ``ParetoNBD().fit(frequency, recency, T, weights=None)`` maximises the full
    log-likelihood (Fader & Hardie 2005 note, eq. 22; -9595.0 on the CDNOW
    sample in weeks). The 2F1 term is evaluated as the integral it stands for
    (see ``retain.clv._quadrature``), stable for any frequency.
    """

    param_names: ClassVar[tuple[str, ...]] = ("r", "alpha", "s", "beta")
    paper = "Schmittlein, Morrison & Colombo (1987); Fader & Hardie (2005) note 009"

    def fit(self, frequency: Any, recency: Any, T: Any, weights: Any = None) -> Self:
        """Fit by maximum likelihood; returns self. See ``BetaGeo.fit`` for the inputs."""
        x, tx, big_t, w = check_rfm(frequency, recency, T, weights)
        require_repeat_buyers(x, w, type(self).__name__)
        return self._fit_prepared(_pareto_data(x, tx, big_t, w))

    def _n_rows(self, data: dict) -> int:
        return int(data["x"].size)

    def _subsample(self, data: dict, rows: np.ndarray, weights: np.ndarray) -> dict:
        sub = rfm_subsample(data, rows, weights)
        return _pareto_data(sub["x"], sub["tx"], sub["T"], sub["w"])

    def _starts(self, data: dict) -> list[np.ndarray]:
        w = data["w"]
        rate = dot(w, data["x"]) / dot(w, data["T"])
        mean_t = dot(w, data["T"]) / float(w.sum())
        return [
            np.array([1.0, 1.0 / rate, 1.0, mean_t]),
            np.array([0.5, 0.5 / rate, 0.5, 0.5 * mean_t]),
            np.array([2.0, 2.0 / rate, 2.0, 2.0 * mean_t]),
        ]

    def _terms(self, theta: np.ndarray, data: dict, *, grad: bool):
        """Per-row log terms: l1 (alive through T), l2 = log(s J) (died in (recency, T]),
        J = ∫_recency^T (alpha+τ)^-(r+x) (beta+τ)^-(s+1) dτ, and d log J / d params."""
        r, alpha, s, beta = theta
        x, tx, big_t = data["x"], data["tx"], data["T"]
        log_g, d_g = pareto_tail_integral(
            r + data["pair_x"], data["pair_c"], alpha, beta, s + 1.0, grad=grad
        )
        lg_rec, lg_end = log_g[data["i_rec"]], log_g[data["i_end"]]
        diff = np.minimum(lg_end - lg_rec, 0.0)
        one_minus = -np.expm1(diff)
        has_j = (big_t > tx) & (one_minus > 0)
        with np.errstate(divide="ignore"):
            log_j = np.where(has_j, lg_rec + np.log(np.where(has_j, one_minus, 1.0)), -np.inf)
        l1 = -(r + x) * np.log(alpha + big_t) - s * np.log(beta + big_t)
        l2 = np.log(s) + log_j
        aux = (diff, has_j, d_g)
        return l1, l2, log_add(l1, l2), aux

    def _loglik(self, theta: np.ndarray, data: dict) -> tuple[float, np.ndarray]:
        """Full log-likelihood (Fader & Hardie 2005 note 009, eq. 22) with gradient."""
        r, alpha, s, beta = theta
        x, big_t, w, xs, wx = data["x"], data["T"], data["w"], data["xs"], data["Wx"]
        l1, l2, big_l, (diff, has_j, d_g) = self._terms(theta, data, grad=True)
        total_w = float(wx.sum())
        ll = float((gammaln(r + xs) - gammaln(r)) @ wx)
        ll += (r * np.log(alpha) + s * np.log(beta)) * total_w + dot(w, big_l)
        q1 = w * np.exp(l1 - big_l)
        q2 = np.where(has_j, w * np.exp(l2 - big_l), 0.0)
        # d log J = (D_rec - rho D_end) / (1 - rho), D = d log G at the (x, c) pairs:
        # accumulate the row weights per pair, then one small product.
        coef = q2 / np.where(has_j, -np.expm1(diff), 1.0)
        n_pairs = d_g.shape[0]
        per_pair = np.bincount(data["i_rec"], weights=coef, minlength=n_pairs)
        per_pair -= np.bincount(data["i_end"], weights=coef * np.exp(diff), minlength=n_pairs)
        g = np.einsum("p,pj->j", per_pair, d_g)
        g[0] += float((digamma(r + xs) - digamma(r)) @ wx) + np.log(alpha) * total_w
        g[0] -= dot(q1, np.log(alpha + big_t))
        g[1] += r / alpha * total_w - dot(q1, (r + x) / (alpha + big_t))
        g[2] += np.log(beta) * total_w - dot(q1, np.log(beta + big_t)) + float(q2.sum()) / s
        g[3] += s / beta * total_w - dot(q1, s / (beta + big_t))
        return ll, g

    # -- predictions --------------------------------------------------------------------

    def probability_alive(self, frequency: Any, recency: Any, T: Any) -> np.ndarray:
        """P(alive at T | history) (Schmittlein et al. 1987; Fader & Hardie 2005 note 009):
        the share of the likelihood that comes from 'still alive at T'."""
        self._require_fitted()
        x, tx, big_t, _ = check_rfm(frequency, recency, T)
        data = _with_pairs({"x": x, "tx": tx, "T": big_t})
        l1, _, big_l, _ = self._terms(self._theta, data, grad=False)
        return np.exp(l1 - big_l)

    def conditional_expected_purchases(
        self, t: Any, frequency: Any, recency: Any, T: Any
    ) -> np.ndarray:
        """Expected repeat purchases in the next ``t`` periods given the history
        (Schmittlein et al. 1987; Fader & Hardie 2005 note 009):
        P(alive) (r+x)(beta+T) / ((alpha+T)(s-1)) [1 - ((beta+T)/(beta+T+t))^(s-1)]."""
        r, alpha, s, beta = self._theta
        alive = self.probability_alive(frequency, recency, T)
        x, _, big_t, _ = check_rfm(frequency, recency, T)
        horizon = horizon_column(t, x.size)
        growth = _dropout_growth(s - 1.0, np.log1p(horizon / (beta + big_t)))
        return alive * (r + x) * (beta + big_t) / (alpha + big_t) * growth

    def expected_purchases_new_customer(self, t: Any) -> np.ndarray:
        """E[X(t)] = r beta / (alpha (s-1)) [1 - (beta/(beta+t))^(s-1)]
        (Schmittlein et al. 1987; Fader & Hardie 2005 note 009)."""
        self._require_fitted()
        r, alpha, s, beta = self._theta
        horizon = as_column(t, "t")
        return r * beta / alpha * _dropout_growth(s - 1.0, np.log1p(horizon / beta))

    def probability_of_purchases(self, n: Any, t: float) -> np.ndarray:
        """P(X(t) = n) for a new customer (Fader & Hardie, "Deriving an Expression for
        P(X(t)=x) Under the Pareto/NBD Model", brucehardie.com/notes/012):
        alive through t with n purchases, plus died at τ < t after n purchases; the
        τ-integral by Gauss-Jacobi quadrature with weight τ^n."""
        self._require_fitted()
        r, alpha, s, beta = self._theta
        counts = as_column(n, "n")
        if np.any(counts != np.round(counts)):
            raise InvalidInputError("n must be whole numbers of purchases.")
        t = float(t)
        out = np.empty(counts.size)
        for i, k in enumerate(counts):
            log_nb = gammaln(r + k) - gammaln(r) - gammaln(k + 1) + r * np.log(alpha)
            alive = (
                log_nb + k * np.log(t) - (r + k) * np.log(alpha + t) + s * np.log(beta / (beta + t))
            )
            y, wy = roots_jacobi(64, 0.0, k)
            tau = 0.5 * t * (1.0 + y)
            log_h = np.log(s) + s * np.log(beta) - (s + 1) * np.log(beta + tau)
            log_h += log_nb - (r + k) * np.log(alpha + tau)
            died = (k + 1) * np.log(0.5 * t) + logsumexp(log_h, b=wy)
            out[i] = np.exp(np.logaddexp(alive, died))
        return out

    def simulate(self, T: Any, seed: int | np.random.Generator | None = None) -> pd.DataFrame:
        """Simulate customers observed ``T`` periods from the fitted parameters: columns
        ``frequency, recency, T, alive`` (exact: Poisson purchases until an exponential
        death; the last purchase time is a uniform order statistic)."""
        self._require_fitted()
        return simulate_pareto_nbd(self._theta, T, seed)


def simulate_pareto_nbd(
    theta: np.ndarray, T: Any, seed: int | np.random.Generator | None
) -> pd.DataFrame:
    """Simulate Pareto/NBD customers; see ``ParetoNBD.simulate``."""
    r, alpha, s, beta = (float(v) for v in theta)
    rng = np.random.default_rng(seed)
    big_t = as_column(T, "T")
    n = big_t.size
    lam = rng.gamma(r, 1.0 / alpha, n)
    mu = rng.gamma(s, 1.0 / beta, n)
    life = rng.exponential(1.0, n) / mu
    alive = life > big_t
    seen = np.minimum(life, big_t)
    x = rng.poisson(lam * seen).astype(float)
    tx = np.zeros(n)
    pos = x > 0
    tx[pos] = seen[pos] * rng.beta(x[pos], 1.0)
    return pd.DataFrame({"frequency": x, "recency": tx, "T": big_t, "alive": alive})
