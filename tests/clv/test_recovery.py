"""Fits recover the parameters of data simulated from known values (our own simulators).

50,000 customers per data set; each estimate must lie within 3 standard errors
(from the Hessian) of the truth, for a few fixed seeds.
"""

from __future__ import annotations

import numpy as np
import pytest

from retain.clv import BetaGeo, BetaGeoBetaBinom, GammaGamma, ModifiedBetaGeo, ParetoNBD

N = 50_000


def within_3_se(model, truth: dict[str, float]) -> None:
    for name, value in truth.items():
        est, se = model.params_[name], model.standard_errors_[name]
        assert np.isfinite(se) and se > 0, name
        assert abs(est - value) < 3 * se, (name, est, value, se)


def with_params(cls, **params):
    model = cls()
    model.params_ = {k: float(v) for k, v in params.items()}
    return model


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_bg_nbd_recovers_parameters(seed: int) -> None:
    truth = {"r": 0.25, "alpha": 4.0, "a": 0.8, "b": 2.5}
    rng = np.random.default_rng(seed)
    T = rng.uniform(20, 40, N)
    sim = with_params(BetaGeo, **truth).simulate(T, rng)
    fitted = BetaGeo().fit(sim["frequency"], sim["recency"], sim["T"])
    within_3_se(fitted, truth)


@pytest.mark.parametrize("seed", [4, 5])
def test_mbg_nbd_recovers_parameters(seed: int) -> None:
    truth = {"r": 0.5, "alpha": 6.0, "a": 0.9, "b": 1.6}
    rng = np.random.default_rng(seed)
    T = rng.uniform(20, 40, N)
    sim = with_params(ModifiedBetaGeo, **truth).simulate(T, rng)
    within_3_se(ModifiedBetaGeo().fit(sim["frequency"], sim["recency"], sim["T"]), truth)


@pytest.mark.slow
@pytest.mark.parametrize("seed", [6, 7])
def test_pareto_nbd_recovers_parameters_in_days(seed: int) -> None:
    truth = {"r": 0.55, "alpha": 74.0, "s": 0.6, "beta": 80.0}
    rng = np.random.default_rng(seed)
    T = rng.integers(30, 366, N).astype(float)
    sim = with_params(ParetoNBD, **truth).simulate(T, rng)
    within_3_se(ParetoNBD().fit(sim["frequency"], sim["recency"], sim["T"]), truth)


@pytest.mark.parametrize("seed", [8, 9])
def test_bg_bb_recovers_parameters(seed: int) -> None:
    truth = {"alpha": 1.2, "beta": 0.75, "gamma": 0.66, "delta": 2.8}
    rng = np.random.default_rng(seed)
    sim = with_params(BetaGeoBetaBinom, **truth).simulate(np.full(N, 6), rng)
    counts = sim.groupby(["frequency", "recency", "n_periods"]).size().reset_index(name="w")
    fitted = BetaGeoBetaBinom().fit(
        counts["frequency"], counts["recency"], counts["n_periods"], counts["w"]
    )
    within_3_se(fitted, truth)


@pytest.mark.parametrize("seed", [10, 11])
def test_gamma_gamma_recovers_parameters(seed: int) -> None:
    truth = {"p": 6.25, "q": 3.74, "v": 15.44}
    rng = np.random.default_rng(seed)
    freq = rng.integers(1, 8, N)
    sim = with_params(GammaGamma, **truth).simulate(freq, rng)
    within_3_se(GammaGamma().fit(sim["frequency"], sim["monetary_value"]), truth)


@pytest.mark.parametrize(
    ("cls", "params"),
    [
        (BetaGeo, {"r": 0.25, "alpha": 4.0, "a": 0.8, "b": 2.5}),
        (ModifiedBetaGeo, {"r": 0.5, "alpha": 6.0, "a": 0.9, "b": 1.6}),
        (ParetoNBD, {"r": 0.55, "alpha": 10.6, "s": 0.6, "beta": 11.7}),
    ],
)
def test_simulated_mean_matches_expected_purchases_formula(cls, params) -> None:
    # The simulator and the closed form E[X(t)] agree (law of large numbers, 4 SE).
    model = with_params(cls, **params)
    sim = model.simulate(np.full(200_000, 39.0), 123)
    mean, se = sim["frequency"].mean(), sim["frequency"].std() / np.sqrt(len(sim))
    assert abs(mean - model.expected_purchases_new_customer(39.0)[0]) < 4 * se


def test_bg_bb_simulated_mean_matches_expected_purchases() -> None:
    model = with_params(BetaGeoBetaBinom, alpha=1.2, beta=0.75, gamma=0.66, delta=2.8)
    sim = model.simulate(np.full(200_000, 6), 321)
    mean, se = sim["frequency"].mean(), sim["frequency"].std() / np.sqrt(len(sim))
    assert abs(mean - model.expected_purchases_new_customer(6)[0]) < 4 * se
