"""Numerical integrals behind the closed forms that contain a Gauss hypergeometric 2F1.

``scipy.special.hyp2f1`` is slow (about 0.5 s per million values) and returns
NaN in regions the models reach (large first parameter, argument near 1; e.g.
2F1(200, 1.6; 201; 0.998) with SciPy 1.17). The 2F1 terms of these models are
integrals of smooth positive functions, so we evaluate those integrals directly,
in log space, with quadratures whose accuracy is checked against an
arbitrary-precision 2F1 in the tests.
"""

from __future__ import annotations

import numpy as np
from scipy.special import expm1, log1p, roots_jacobi

__all__ = ["beta_dropout_expectation", "dot", "log_add", "pareto_tail_integral"]


def dot(u: np.ndarray, v: np.ndarray) -> float:
    """Sum of u*v without BLAS: a threaded BLAS dot is erratic (up to 50x slower) on a
    busy machine, and these sums sit in the inner loop of every fit."""
    return float(np.einsum("i,i->", u, v))


def log_add(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """log(exp(u) + exp(v)) elementwise; ``u`` must be finite, ``v`` may be -inf.

    Same as ``np.logaddexp`` but about 20x faster on large arrays (NumPy's ufunc is
    not vectorised), which matters inside the likelihoods.
    """
    with np.errstate(invalid="ignore"):
        big = np.maximum(u, v)
        return big + np.log1p(np.exp(-np.abs(u - v)))


_STEP = 0.3  # trapezoid step in w; error ~ exp(-pi^2 / step)
_HEAD = 1e-5


def pareto_tail_integral(
    k1: np.ndarray, c: np.ndarray, alpha: float, beta: float, k2: float, *, grad: bool = True
) -> tuple[np.ndarray, np.ndarray | None]:
    """log G and d(log G)/d(r, alpha, s, beta) for G(c) = ∫_c^∞ (alpha+τ)^-k1 (beta+τ)^-k2 dτ.

    This is the Pareto/NBD "A0" term: with a = r+s+x and M = max(alpha, beta),
    G(c) = F(z)/(a (M+c)^a) where F is 2F1(a, s+1; a+1; z) (alpha >= beta) or
    2F1(a, r+x; a+1; z) (alpha < beta) and z = |alpha-beta|/(M+c) (Fader & Hardie
    2005, "A Note on Deriving the Pareto/NBD Model and Related Expressions",
    eq. 22), by Euler's integral for 2F1 with c = a+1.

    Method: substitute τ = (M+c)e^Δ - M and Δ = e^w; the integrand in w rises like
    e^w and falls double-exponentially, so the trapezoid rule on a truncated w
    range is spectrally accurate. The piece Δ < 1e-7/λ (λ the initial decay rate)
    is added in closed form. k1 = r + x per element, k2 = s + 1; the gradient is
    with respect to (r, alpha, s, beta) with k1 = r + x and k2 = s + 1.
    """
    k1 = np.asarray(k1, dtype=float)
    c = np.asarray(c, dtype=float)
    m = max(alpha, beta)
    mc = m + c
    lam = k1 * mc / (alpha + c) + k2 * mc / (beta + c) - 1.0
    big_k = k1 + k2 - 1.0
    head = _HEAD / lam
    w_lo = np.log(head)
    w_hi = np.log((38.0 + np.log(np.maximum(lam / big_k, 1.0))) / big_k)
    w_hi = np.maximum(w_hi, w_lo + 1.0)
    n = int(np.clip(np.ceil(float(np.max(w_hi - w_lo)) / _STEP), 24, 120)) + 1
    step = (w_hi - w_lo) / (n - 1)
    grid = np.linspace(0.0, 1.0, n)
    wj = w_lo[:, None] + (w_hi - w_lo)[:, None] * grid[None, :]
    delta = np.exp(wj)
    # τ + alpha and τ + beta without cancellation: τ = (M+c)e^Δ - M.
    grow = mc[:, None] * expm1(delta)
    lpa = np.log(grow + (alpha + c)[:, None])
    lpb = np.log(grow + (beta + c)[:, None])
    # log of integrand times Jacobian (M+τ) e^w, with trapezoid weights.
    log_f = -k1[:, None] * lpa - k2 * lpb + np.log(mc)[:, None] + delta + wj
    log_f += np.log(step)[:, None]
    log_f[:, 0] -= np.log(2.0)
    log_f[:, -1] -= np.log(2.0)
    # closed-form head: ∫_0^head e^{φ(Δ)} dΔ ≈ e^{φ(0)} head (1 - λ head / 2)
    la0 = np.log(alpha + c)
    lb0 = np.log(beta + c)
    log_head = -k1 * la0 - k2 * lb0 + np.log(mc) + np.log(head) + np.log1p(-0.5 * _HEAD)
    log_all = np.concatenate([log_head[:, None], log_f], axis=1)
    top = log_all.max(axis=1)
    log_g = top + np.log(np.exp(log_all - top[:, None]).sum(axis=1))
    if not grad:
        return log_g, None
    share = np.exp(log_all - log_g[:, None])
    lpa_all = np.concatenate([la0[:, None], lpa], axis=1)
    lpb_all = np.concatenate([lb0[:, None], lpb], axis=1)
    d_r = -np.einsum("ij,ij->i", share, lpa_all)
    d_alpha = -k1 * np.einsum("ij,ij->i", share, np.exp(-lpa_all))
    d_s = -np.einsum("ij,ij->i", share, lpb_all)
    d_beta = -k2 * np.einsum("ij,ij->i", share, np.exp(-lpb_all))
    return log_g, np.stack([d_r, d_alpha, d_s, d_beta], axis=1)


def beta_dropout_expectation(
    a: float, b: np.ndarray, big_a: np.ndarray, k: np.ndarray, t: np.ndarray, *, nodes: int = 48
) -> np.ndarray:
    """E[(1 - (A/(A + p t))^k) / p] for p ~ Beta(a, b), elementwise over b, A, k, t.

    This is the expected number of purchases in t more periods of a customer who
    is alive, buys at a Gamma(k, A) rate and drops out after each purchase with
    probability p (BG/NBD and MBG/NBD, Fader, Hardie & Lee 2005, eqs. 7 and 10,
    which write it with a 2F1). Gauss-Jacobi quadrature with the Beta weight,
    one rule per distinct b.
    """
    b, big_a, k, t = np.broadcast_arrays(
        np.asarray(b, float), np.asarray(big_a, float), np.asarray(k, float), np.asarray(t, float)
    )
    out = np.empty(b.shape)
    flat_b = b.ravel()
    flat_out = out.reshape(-1)
    ub, inv = np.unique(flat_b, return_inverse=True)
    inv = inv.ravel()
    fa, fk, ft = big_a.ravel(), k.ravel(), t.ravel()
    for j, bj in enumerate(ub):
        rows = np.flatnonzero(inv == j)
        xn, wn = roots_jacobi(nodes, bj - 1.0, a - 1.0)
        p = 0.5 * (1.0 + xn)
        wn = wn / wn.sum()
        ratio = ft[rows, None] * p[None, :] / fa[rows, None]
        vals = -expm1(-fk[rows, None] * log1p(ratio)) / p[None, :]
        flat_out[rows] = vals @ wn
    return out
