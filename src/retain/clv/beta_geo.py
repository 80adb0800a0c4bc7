"""BG/NBD and MBG/NBD: repeat purchases with drop-out after a purchase.

BG/NBD: Fader, Hardie & Lee (2005), "Counting Your Customers the Easy Way: An
Alternative to the Pareto/NBD Model", Marketing Science 24(2). While alive a
customer buys at Poisson rate λ ~ Gamma(r, alpha); after each repeat purchase
they drop out with probability p ~ Beta(a, b).

MBG/NBD: Batislam, Denizel & Filiztekin (2007), "Empirical validation and
comparison of models for customer base analysis", IJRM 24(3): the same, but a
customer may also drop out right after the first purchase, so customers with
no repeat purchase can be gone.

Inputs everywhere: ``frequency`` = repeat purchases, ``recency`` = time of the
last repeat purchase since the first purchase, ``T`` = time since the first
purchase, all in one period unit (days, weeks...). Rates and ``alpha`` are in
that unit.
"""

from __future__ import annotations

from typing import Any, ClassVar, Self

import numpy as np
import pandas as pd
from scipy.special import betaln, digamma, gammaln
from scipy.stats import nbinom

from retain.clv._base import FittedModel
from retain.clv._inputs import (
    as_column,
    check_rfm,
    horizon_column,
    rfm_data,
    rfm_subsample,
    unique_rows,
)
from retain.clv._quadrature import beta_dropout_expectation, dot, log_add
from retain.errors import InvalidInputError

__all__ = ["BetaGeo", "ModifiedBetaGeo"]


def require_repeat_buyers(x: np.ndarray, w: np.ndarray, model: str) -> None:
    """Refuse data in which nobody bought twice: purchase rates and drop-out are then
    not identified, and any estimate would be an artefact of the starting point."""
    if not np.any((x > 0) & (w > 0)):
        raise InvalidInputError(
            f"{model} cannot be fitted: no customer has a repeat purchase (all frequencies "
            "are 0), so purchase rates and drop-out cannot be told apart. Wait for repeat "
            "purchases, or use a longer history."
        )


class _BetaGeoFamily(FittedModel):
    param_names: ClassVar[tuple[str, ...]] = ("r", "alpha", "a", "b")
    # 0 for BG/NBD (drop-out only after repeat purchases), 1 for MBG/NBD.
    _shift: ClassVar[int] = 0

    def fit(self, frequency: Any, recency: Any, T: Any, weights: Any = None) -> Self:
        """Fit by maximum likelihood; returns self.

        ``weights`` (optional) counts customers per row (e.g. a compressed summary).
        Raises InvalidInputError on inconsistent inputs (naming the rows), when
        nobody has a repeat purchase, or when the optimiser does not converge.
        """
        x, tx, big_t, w = check_rfm(frequency, recency, T, weights)
        require_repeat_buyers(x, w, type(self).__name__)
        return self._fit_prepared(rfm_data(x, tx, big_t, w))

    def _n_rows(self, data: dict) -> int:
        return int(data["x"].size)

    def _subsample(self, data: dict, rows: np.ndarray, weights: np.ndarray) -> dict:
        return rfm_subsample(data, rows, weights)

    def _starts(self, data: dict) -> list[np.ndarray]:
        w = data["w"]
        rate = dot(w, data["x"]) / dot(w, data["T"])
        return [
            np.array([1.0, 1.0 / rate, 1.0, 1.0]),
            np.array([0.3, 0.3 / rate, 0.7, 2.5]),
            np.array([3.0, 3.0 / rate, 2.0, 8.0]),
        ]

    def _beta_terms(self, a: float, b: float, xs: np.ndarray):
        """log B(.)/B(a,b) of the 'alive' and 'dropped' terms per distinct x, and their
        derivatives in a and b; ``has2`` marks x where the dropped term exists."""
        s = self._shift
        has2 = xs > 0 if s == 0 else np.ones(xs.shape, bool)
        ba = betaln(a, b)
        psi_ab = digamma(a + b)
        psi_abx = digamma(a + b + xs + s)
        b1 = betaln(a, b + xs + s) - ba
        d1a = psi_ab - psi_abx
        d1b = digamma(b + xs + s) - psi_abx - digamma(b) + psi_ab
        bx2 = np.where(has2, b + xs + s - 1, 1.0)
        b2 = np.where(has2, betaln(a + 1, bx2) - ba, -np.inf)
        d2a = np.where(has2, digamma(a + 1) - psi_abx - digamma(a) + psi_ab, 0.0)
        d2b = np.where(has2, digamma(bx2) - psi_abx - digamma(b) + psi_ab, 0.0)
        return has2, b1, b2, d1a, d1b, d2a, d2b

    def _row_terms(self, theta: np.ndarray, data: dict):
        r, alpha, a, b = theta
        _, b1, b2, *_ = self._beta_terms(a, b, data["xs"])
        ix = data["ix"]
        k = r + data["x"]
        lt_big = np.log(alpha + data["T"])
        lt_rec = np.log(alpha + data["tx"])
        u1 = b1[ix] - k * lt_big
        u2 = b2[ix] - k * lt_rec
        return k, lt_big, lt_rec, u1, u2, log_add(u1, u2)

    def _loglik(self, theta: np.ndarray, data: dict) -> tuple[float, np.ndarray]:
        """Full log-likelihood, FHL 2005 eq. 6 (BG/NBD) / Batislam et al. 2007 eq. 4
        (MBG/NBD), summed over customers, in log space, with its analytic gradient."""
        r, alpha, a, b = theta
        xs, ix, w, wx = data["xs"], data["ix"], data["w"], data["Wx"]
        _, _, _, d1a, d1b, d2a, d2b = self._beta_terms(a, b, xs)
        k, lt_big, lt_rec, u1, u2, big_l = self._row_terms(theta, data)
        p1 = np.exp(u1 - big_l)
        p2 = np.exp(u2 - big_l)
        total_w = float(wx.sum())
        log_alpha = np.log(alpha)
        ll = dot(gammaln(r + xs) - gammaln(r), wx) + r * log_alpha * total_w + dot(w, big_l)
        wp1, wp2 = w * p1, w * p2
        g_r = dot(digamma(r + xs) - digamma(r), wx) + log_alpha * total_w
        g_r -= dot(wp1, lt_big) + dot(wp2, lt_rec)
        g_alpha = (
            r / alpha * total_w - dot(wp1 * k, np.exp(-lt_big)) - dot(wp2 * k, np.exp(-lt_rec))
        )
        s1 = np.bincount(ix, weights=wp1, minlength=xs.size)
        s2 = np.bincount(ix, weights=wp2, minlength=xs.size)
        g_a = float(d1a @ s1 + d2a @ s2)
        g_b = float(d1b @ s1 + d2b @ s2)
        return ll, np.array([g_r, g_alpha, g_a, g_b])

    # -- predictions --------------------------------------------------------------------

    def _history(self, frequency: Any, recency: Any, T: Any):
        x, tx, big_t, _ = check_rfm(frequency, recency, T)
        return x, tx, big_t

    def probability_alive(self, frequency: Any, recency: Any, T: Any) -> np.ndarray:
        """P(alive at T | frequency, recency, T) (BG/NBD: Fader, Hardie & Lee 2008,
        "Computing P(alive) Using the BG/NBD Model", brucehardie.com/notes/021),
        1 / (1 + [x>0] a/(b+x-1) ((alpha+T)/(alpha+recency))^(r+x)); MBG/NBD:
        1 / (1 + a/(b+x) (...)^(r+x)), Batislam et al. 2007."""
        self._require_fitted()
        x, tx, big_t = self._history(frequency, recency, T)
        theta = self._theta
        data = {"x": x, "tx": tx, "T": big_t}
        data["xs"], data["ix"] = np.unique(x, return_inverse=True)
        data["ix"] = data["ix"].ravel()
        *_, u1, _, big_l = self._row_terms(theta, data)
        return np.exp(u1 - big_l)

    def conditional_expected_purchases(
        self, t: Any, frequency: Any, recency: Any, T: Any
    ) -> np.ndarray:
        """Expected repeat purchases in the next ``t`` periods given the history:
        FHL 2005 eq. 10 (BG/NBD; Batislam et al. 2007 for MBG/NBD), computed as
        P(alive) * E[(1 - ((alpha+T)/(alpha+T+p t))^(r+x)) / p], p ~ Beta(a, b+x[+1])."""
        self._require_fitted()
        x, tx, big_t = self._history(frequency, recency, T)
        horizon = horizon_column(t, x.size)
        r, alpha, a, b = self._theta
        alive = self.probability_alive(x, tx, big_t)
        (ux, ut, uh), inv = unique_rows(x, big_t, horizon)
        e = beta_dropout_expectation(a, b + ux + self._shift, alpha + ut, r + ux, uh)
        return alive * e[inv]

    def expected_purchases_new_customer(self, t: Any) -> np.ndarray:
        """E[X(t)]: expected repeat purchases in (0, t] of a new customer, FHL 2005 eq. 7
        (MBG/NBD: Batislam et al. 2007), as E[(1 - (alpha/(alpha+p t))^r)/p]."""
        self._require_fitted()
        r, alpha, a, b = self._theta
        horizon = as_column(t, "t")
        if self._shift == 0:
            return beta_dropout_expectation(a, b, alpha, r, horizon)
        return b / (a + b) * beta_dropout_expectation(a, b + 1, alpha, r, horizon)

    def probability_of_purchases(self, n: Any, t: float) -> np.ndarray:
        """P(X(t) = n): probability that a new customer makes exactly n repeat purchases
        in (0, t], FHL 2005 eq. 8 (MBG/NBD: Batislam et al. 2007)."""
        self._require_fitted()
        r, alpha, a, b = self._theta
        counts = as_column(n, "n")
        if np.any(counts != np.round(counts)):
            raise InvalidInputError("n must be whole numbers of purchases.")
        s = self._shift
        q = alpha / (alpha + float(t))
        ba = betaln(a, b)
        alive = np.exp(betaln(a, b + counts + s) - ba + nbinom.logpmf(counts, r, q))
        has2 = counts > 0 if s == 0 else np.ones(counts.shape, bool)
        cnt2 = np.where(has2, counts, 1.0)
        gone = np.exp(betaln(a + 1, b + cnt2 + s - 1) - ba + nbinom.logsf(cnt2 - 1, r, q))
        return alive + np.where(has2, gone, 0.0)

    def simulate(self, T: Any, seed: int | np.random.Generator | None = None) -> pd.DataFrame:
        """Simulate customers observed for ``T`` periods each from the fitted parameters.

        Returns a DataFrame with ``frequency, recency, T, alive``. Exact simulation
        of the model (not a time grid): given n purchases in (0, T], purchase times
        are uniform order statistics, so the last one is T*U^(1/n) and the k-th
        one is T*Beta(k, n-k+1).
        """
        self._require_fitted()
        return simulate_beta_geo(self._theta, T, seed, shift=self._shift)


def simulate_beta_geo(
    theta: np.ndarray, T: Any, seed: int | np.random.Generator | None, *, shift: int = 0
) -> pd.DataFrame:
    """Simulate BG/NBD (shift=0) or MBG/NBD (shift=1) customers; see ``BetaGeo.simulate``."""
    r, alpha, a, b = (float(v) for v in theta)
    rng = np.random.default_rng(seed)
    big_t = as_column(T, "T")
    n = big_t.size
    lam = rng.gamma(r, 1.0 / alpha, n)
    p = rng.beta(a, b, n)
    # number of repeat purchases after which the customer drops out (0: right after the first)
    death_at = rng.geometric(p) - shift
    purchases = rng.poisson(lam * big_t)
    dies = purchases >= death_at
    x = np.where(dies, death_at, purchases).astype(float)
    tx = np.zeros(n)
    pos = x > 0
    # last purchase time: k-th of N uniform order statistics (k = x)
    k = x[pos]
    nn = purchases[pos].astype(float)
    tx[pos] = big_t[pos] * rng.beta(k, nn - k + 1.0)
    return pd.DataFrame({"frequency": x, "recency": tx, "T": big_t, "alive": ~dies})


class BetaGeo(_BetaGeoFamily):
    """BG/NBD model (Fader, Hardie & Lee 2005): parameters ``r, alpha, a, b``.

    ``BetaGeo().fit(frequency, recency, T, weights=None)`` maximises the full
    log-likelihood of eq. 6; ``log_likelihood_`` is that sum over customers in
    the units of the inputs (-9582.4 on the CDNOW sample in weeks).
    """

    _shift = 0
    paper = "Fader, Hardie & Lee (2005), Marketing Science 24(2):275-284"


class ModifiedBetaGeo(_BetaGeoFamily):
    """MBG/NBD model (Batislam, Denizel & Filiztekin 2007): parameters ``r, alpha, a, b``.

    Like BG/NBD, but a customer can drop out right after the first purchase too.
    """

    _shift = 1
    paper = "Batislam, Denizel & Filiztekin (2007), IJRM 24(3):201-209"
