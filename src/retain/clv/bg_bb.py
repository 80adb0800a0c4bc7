"""BG/BB: purchases at discrete opportunities (yearly donations, event tickets...).

Fader, Hardie & Shang (2010), "Customer-Base Analysis in a Discrete-Time
Noncontractual Setting", Marketing Science 29(6). At each of ``n_periods``
opportunities after the first purchase an alive customer buys with probability
p ~ Beta(alpha, beta); at the start of each opportunity they may drop out with
probability θ ~ Beta(gamma, delta). Inputs: ``frequency`` = repeat purchases
x, ``recency`` = the opportunity of the last one t_x (0 if none), ``n_periods``
= opportunities observed n; all whole numbers with x <= t_x <= n. The data are
often given compressed: one row per (x, t_x, n) pattern with a count as
``weights``.
"""

from __future__ import annotations

from typing import Any, ClassVar, Self

import numpy as np
import pandas as pd
from scipy.special import betaln, digamma, gammaln, logsumexp

from retain.clv._base import FittedModel
from retain.clv._inputs import as_column, check_rfm, rfm_data, rfm_subsample
from retain.errors import InvalidInputError

__all__ = ["BetaGeoBetaBinom"]


def _grid(data: dict) -> dict:
    """Exponents of the likelihood terms as a (rows, 1 + max(n - t_x)) grid: column 0
    is 'alive at all n opportunities', column 1+i 'dropped out at t_x + i + 1'."""
    x, tx, n = data["x"], data["tx"], data["T"]
    width = 1 + int(np.max(n - tx)) if x.size else 1
    i = np.arange(width - 1)[None, :]
    u1 = np.repeat(x[:, None], width, axis=1)
    u2 = np.concatenate([(n - x)[:, None], tx[:, None] - x[:, None] + i], axis=1)
    v1 = np.concatenate([np.zeros((x.size, 1)), np.ones((x.size, width - 1))], axis=1)
    v2 = np.concatenate([n[:, None], tx[:, None] + i], axis=1)
    mask = np.concatenate([np.ones((x.size, 1), bool), i < (n - tx)[:, None]], axis=1)
    return {**data, "u1": u1, "u2": u2, "v1": v1, "v2": v2, "mask": mask}


class BetaGeoBetaBinom(FittedModel):
    """BG/BB model: parameters ``alpha, beta`` (purchase) and ``gamma, delta`` (drop-out).

    ``BetaGeoBetaBinom().fit(frequency, recency, n_periods, weights=None)``
    maximises the log-likelihood of FHS 2010 eq. 5 (-33225.6 on the donations
    data; as the paper, without the normalising constants discussed by
    Fader & Hardie 2018, which do not change the estimates).
    """

    param_names: ClassVar[tuple[str, ...]] = ("alpha", "beta", "gamma", "delta")
    paper = "Fader, Hardie & Shang (2010), Marketing Science 29(6):1086-1108"

    def fit(self, frequency: Any, recency: Any, n_periods: Any, weights: Any = None) -> Self:
        """Fit by maximum likelihood; returns self. ``weights`` counts customers per row."""
        x, tx, n, w = check_rfm(
            frequency, recency, n_periods, weights, t_name="n_periods", integer_time=True
        )
        if not np.any((x > 0) & (w > 0)):
            raise InvalidInputError(
                "BetaGeoBetaBinom cannot be fitted: nobody made a repeat purchase."
            )
        return self._fit_prepared(_grid(rfm_data(x, tx, n, w)))

    def _n_rows(self, data: dict) -> int:
        return int(data["x"].size)

    def _subsample(self, data: dict, rows: np.ndarray, weights: np.ndarray) -> dict:
        return _grid(rfm_subsample(data, rows, weights))

    def _starts(self, data: dict) -> list[np.ndarray]:
        return [
            np.array([1.0, 1.0, 1.0, 1.0]),
            np.array([0.5, 0.5, 0.5, 2.0]),
            np.array([2.0, 1.0, 1.0, 5.0]),
        ]

    def _log_terms(self, theta: np.ndarray, data: dict) -> np.ndarray:
        a, b, g, d = theta
        terms = (
            betaln(a + data["u1"], b + data["u2"])
            + betaln(g + data["v1"], d + data["v2"])
            - betaln(a, b)
            - betaln(g, d)
        )
        return np.where(data["mask"], terms, -np.inf)

    def _loglik(self, theta: np.ndarray, data: dict) -> tuple[float, np.ndarray]:
        """FHS 2010 eq. 5 summed over customers, with its analytic gradient."""
        a, b, g, d = theta
        terms = self._log_terms(theta, data)
        row_ll = logsumexp(terms, axis=1)
        share = np.exp(terms - row_ll[:, None]) * data["w"][:, None]
        u1, u2, v1, v2 = data["u1"], data["u2"], data["v1"], data["v2"]
        psi_ab = digamma(a + b + u1 + u2)
        psi_gd = digamma(g + d + v1 + v2)
        total_w = float(data["w"].sum())
        grads = [
            (digamma(a + u1) - psi_ab, digamma(a) - digamma(a + b)),
            (digamma(b + u2) - psi_ab, digamma(b) - digamma(a + b)),
            (digamma(g + v1) - psi_gd, digamma(g) - digamma(g + d)),
            (digamma(d + v2) - psi_gd, digamma(d) - digamma(g + d)),
        ]
        out = np.array(
            [
                float(np.sum(share * np.where(data["mask"], gt, 0.0))) - norm * total_w
                for gt, norm in grads
            ]
        )
        return float(np.einsum("i,i->", data["w"], row_ll)), out

    # -- predictions --------------------------------------------------------------------

    def _history(self, frequency: Any, recency: Any, n_periods: Any) -> dict:
        x, tx, n, _ = check_rfm(
            frequency, recency, n_periods, t_name="n_periods", integer_time=True
        )
        return _grid({"x": x, "tx": tx, "T": n, "w": np.ones_like(x)})

    def probability_alive(self, frequency: Any, recency: Any, n_periods: Any) -> np.ndarray:
        """P(alive at opportunity n+1 | x, t_x, n), FHS 2010 eq. 11."""
        self._require_fitted()
        theta = self._theta
        a, b, g, d = theta
        data = self._history(frequency, recency, n_periods)
        x, n = data["x"], data["T"]
        row_ll = logsumexp(self._log_terms(theta, data), axis=1)
        alive = betaln(a + x, b + n - x) - betaln(a, b) + betaln(g, d + n + 1) - betaln(g, d)
        return np.exp(alive - row_ll)

    def conditional_expected_purchases(
        self, t: int, frequency: Any, recency: Any, n_periods: Any
    ) -> np.ndarray:
        """Expected purchases in the next ``t`` opportunities given the history,
        FHS 2010 eq. 13, computed as the finite sum over future opportunities
        (1/L) B(alpha+x+1, beta+n-x)/B(alpha,beta) sum_k B(gamma, delta+n+k)/B(gamma,delta),
        which stays finite at gamma = 1."""
        self._require_fitted()
        theta = self._theta
        a, b, g, d = theta
        data = self._history(frequency, recency, n_periods)
        x, n = data["x"], data["T"]
        steps = int(t)
        if steps != t or steps < 0:
            raise InvalidInputError(f"t must be a whole number of opportunities >= 0; got {t!r}.")
        if steps == 0:
            return np.zeros(x.size)
        row_ll = logsumexp(self._log_terms(theta, data), axis=1)
        k = np.arange(1, steps + 1)[None, :]
        future = logsumexp(betaln(g, d + n[:, None] + k) - betaln(g, d), axis=1)
        lead = betaln(a + x + 1, b + n - x) - betaln(a, b)
        return np.exp(lead + future - row_ll)

    def expected_purchases_new_customer(self, t: Any) -> np.ndarray:
        """E[X(n)]: expected purchases in the first n opportunities (FHS 2010), as
        alpha/(alpha+beta) * sum_{k=1..n} B(gamma, delta+k)/B(gamma, delta)."""
        self._require_fitted()
        a, b, g, d = self._theta
        n = as_column(t, "t")
        out = np.empty(n.size)
        for i, ni in enumerate(n):
            k = np.arange(1, int(ni) + 1)
            out[i] = a / (a + b) * float(np.exp(betaln(g, d + k) - betaln(g, d)).sum())
        return out

    def probability_of_purchases(self, x: Any, n: int) -> np.ndarray:
        """P(X(n) = x): probability of exactly x purchases in the first n opportunities,
        FHS 2010 eq. 7."""
        self._require_fitted()
        a, b, g, d = self._theta
        xs = as_column(x, "x")
        n = int(n)
        out = np.zeros(xs.size)
        for j, xv in enumerate(xs):
            if xv > n or xv != int(xv):
                continue
            log_c = gammaln(n + 1) - gammaln(xv + 1) - gammaln(n - xv + 1)
            alive = log_c + betaln(a + xv, b + n - xv) - betaln(a, b)
            alive += betaln(g, d + n) - betaln(g, d)
            i = np.arange(int(xv), n)
            log_ci = gammaln(i + 1) - gammaln(xv + 1) - gammaln(i - xv + 1)
            died = log_ci + betaln(a + xv, b + i - xv) - betaln(a, b)
            died += betaln(g + 1, d + i) - betaln(g, d)
            out[j] = np.exp(logsumexp(np.append(died, alive)))
        return out

    def simulate(
        self, n_periods: Any, seed: int | np.random.Generator | None = None
    ) -> pd.DataFrame:
        """Simulate customers with ``n_periods`` opportunities each: columns
        ``frequency, recency, n_periods, alive`` (drop-out is checked at the start of
        each opportunity, then an alive customer buys with probability p)."""
        self._require_fitted()
        a, b, g, d = self._theta
        rng = np.random.default_rng(seed)
        n = as_column(n_periods, "n_periods").astype(int)
        size = n.size
        p = rng.beta(a, b, size)
        theta = rng.beta(g, d, size)
        alive = np.ones(size, bool)
        x = np.zeros(size)
        tx = np.zeros(size)
        for t in range(1, int(n.max(initial=0)) + 1):
            active = t <= n
            alive &= ~(active & (rng.random(size) < theta))
            buy = active & alive & (rng.random(size) < p)
            x += buy
            tx = np.where(buy, t, tx)
        return pd.DataFrame(
            {"frequency": x, "recency": tx, "n_periods": n.astype(float), "alive": alive}
        )
