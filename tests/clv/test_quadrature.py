"""The numerical integrals that replace 2F1 agree with independent evaluations."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy.integrate import quad
from scipy.special import hyp2f1, roots_jacobi

from retain.clv._quadrature import jacobi_rule, log_add, pareto_tail_integral


def closed_form_log_g(k1: float, c: float, alpha: float, beta: float, s: float, r_plus_x: float):
    # G(c) = 2F1(a, b; a+1; z) / (a (M+c)^a), a = r+s+x (Fader & Hardie 2005 note 009)
    a = r_plus_x + s
    m = max(alpha, beta)
    b = s + 1 if alpha >= beta else r_plus_x
    z = abs(alpha - beta) / (m + c)
    return np.log(hyp2f1(a, b, a + 1, z)) - np.log(a) - a * np.log(m + c)


@pytest.mark.parametrize(
    ("r", "x", "s", "alpha", "beta", "c"),
    [
        (0.55, 0, 0.61, 10.6, 11.7, 0.0),
        (0.55, 2, 0.61, 10.6, 11.7, 30.4),
        (0.24, 7, 1.3, 40.0, 3.0, 5.0),
        (2.0, 15, 0.2, 0.5, 80.0, 1.0),
        (0.9, 50, 0.8, 300.0, 20.0, 100.0),
    ],
)
def test_tail_integral_matches_hyp2f1_where_scipy_is_reliable(r, x, s, alpha, beta, c) -> None:
    log_g, _ = pareto_tail_integral(np.array([r + x]), np.array([c]), alpha, beta, s + 1.0)
    assert log_g[0] == pytest.approx(closed_form_log_g(r + x, c, alpha, beta, s, r + x), abs=1e-7)


def test_tail_integral_where_scipy_hyp2f1_returns_nan() -> None:
    # 2F1(200.5, 1.6; 201.5; 0.998) is NaN in SciPy 1.17; integrate directly instead.
    r, x, s, alpha, beta, c = 0.3, 200, 0.6, 1000.0, 0.2, 1.0
    log_g, _ = pareto_tail_integral(np.array([r + x]), np.array([c]), alpha, beta, s + 1.0)
    la, lb = np.log(alpha + c), np.log(beta + c)
    ref0 = -(r + x) * la - (s + 1) * lb

    def scaled(tau: float) -> float:
        return np.exp(-(r + x) * np.log(alpha + tau) - (s + 1) * np.log(beta + tau) - ref0)

    total = 0.0
    edges = [c, c + 0.01, c + 0.1, c + 1, c + 10, c + 100, c + 1e4, np.inf]
    for lo, hi in itertools.pairwise(edges):
        total += quad(scaled, lo, hi, epsabs=0, epsrel=1e-12, limit=200)[0]
    assert log_g[0] == pytest.approx(ref0 + np.log(total), abs=1e-7)


def test_tail_integral_gradient_matches_differences() -> None:
    k1, c = np.array([0.5, 3.5, 40.5]), np.array([0.0, 12.0, 30.0])
    theta = np.array([0.5, 9.0, 0.7, 12.0])

    def value(th):
        x = k1 - theta[0]
        return pareto_tail_integral(th[0] + x, c, th[1], th[3], th[2] + 1.0, grad=False)[0]

    _, grad = pareto_tail_integral(k1, c, theta[1], theta[3], theta[2] + 1.0)
    for j in range(4):
        h = np.zeros(4)
        h[j] = 1e-6 * theta[j]
        numeric = (value(theta + h) - value(theta - h)) / (2 * h[j])
        np.testing.assert_allclose(grad[:, j], numeric, rtol=1e-5, atol=1e-9)


@pytest.mark.parametrize(("a", "b"), [(0.5, -0.2), (3.0, 0.7), (100.0, -0.5), (-0.5, -0.5)])
def test_jacobi_rule_matches_scipy(a: float, b: float) -> None:
    nodes, weights = jacobi_rule(40, a, b)
    ref_nodes, ref_weights = roots_jacobi(40, a, b)
    np.testing.assert_allclose(nodes, ref_nodes, atol=1e-13)
    np.testing.assert_allclose(weights, ref_weights / ref_weights.sum(), atol=1e-12)


def test_jacobi_rule_for_large_parameters_integrates_the_beta_mean() -> None:
    # E[p] under Beta(a, b) with b ~ 2,000 (a customer with 2,000 purchases): a/(a+b)
    a, b = 0.8, 2000.0
    nodes, weights = jacobi_rule(48, b - 1, a - 1)
    assert np.all(np.isfinite(weights))
    assert (0.5 * (1 + nodes)) @ weights == pytest.approx(a / (a + b), rel=1e-12)


def test_log_add_equals_numpy() -> None:
    u = np.array([0.0, -1000.0, 5.0, 700.0])
    v = np.array([0.0, -np.inf, -3.0, 710.0])
    np.testing.assert_allclose(log_add(u, v), np.logaddexp(u, v), rtol=1e-15)
