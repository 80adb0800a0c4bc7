"""Edge cases, input checks, predictions and persistence of the CLV models."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.special import hyp2f1

import retain.clv
from retain.clv import (
    BetaGeo,
    BetaGeoBetaBinom,
    GammaGamma,
    ModifiedBetaGeo,
    ParetoNBD,
    customer_lifetime_value,
)
from retain.errors import InvalidInputError

from .datasets import cdnow_spend, cdnow_summary, donations

CDNOW = cdnow_summary()
SPEND = cdnow_spend()
BG = BetaGeo().fit(CDNOW["frequency"], CDNOW["recency"], CDNOW["T"])
MBG = ModifiedBetaGeo().fit(CDNOW["frequency"], CDNOW["recency"], CDNOW["T"])
PNBD = ParetoNBD().fit(CDNOW["frequency"], CDNOW["recency"], CDNOW["T"])
GG = GammaGamma().fit(SPEND["x"], SPEND["zbar"])
_DON = donations()
BGBB = BetaGeoBetaBinom().fit(_DON["frequency"], _DON["recency"], _DON["periods"], _DON["weights"])
CONTINUOUS = [BG, MBG, PNBD]


def test_public_api_is_pinned() -> None:
    assert retain.clv.__all__ == [
        "BetaGeo",
        "BetaGeoBetaBinom",
        "GammaGamma",
        "ModifiedBetaGeo",
        "ParetoNBD",
        "customer_lifetime_value",
    ]


# -- inputs -------------------------------------------------------------------------------


def test_recency_after_t_names_the_rows() -> None:
    with pytest.raises(InvalidInputError, match=r"recency must not exceed T.*row 1 \(recency=12"):
        BetaGeo().fit([1, 2, 0], [3, 12, 0], [10, 10, 10])


def test_bad_rows_are_named_by_series_index() -> None:
    freq = pd.Series([1, -1], index=["c-1", "c-2"])
    with pytest.raises(InvalidInputError, match=r"frequency must not be negative.*'c-2'"):
        BetaGeo().fit(
            freq, pd.Series([1, 1], index=freq.index), pd.Series([5, 5], index=freq.index)
        )


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_missing_values_are_refused(bad: float) -> None:
    with pytest.raises(InvalidInputError, match=r"missing or infinite.*row 2"):
        ParetoNBD().fit([1, 2, 3], [1, 2, 3], [5, 5, bad])


def test_frequency_must_be_whole_and_zero_frequency_has_zero_recency() -> None:
    with pytest.raises(InvalidInputError, match="whole numbers"):
        BetaGeo().fit([1.5], [2], [3])
    with pytest.raises(InvalidInputError, match=r"frequency 0.*must have recency 0"):
        BetaGeo().fit([0, 1], [2, 2], [3, 3])


def test_lengths_must_match() -> None:
    with pytest.raises(InvalidInputError, match="same length"):
        BetaGeo().fit([1, 2], [1, 2], [3, 3, 3])


def test_bg_bb_checks_discrete_opportunities() -> None:
    with pytest.raises(InvalidInputError, match="frequency cannot exceed recency"):
        BetaGeoBetaBinom().fit([3], [2], [6])
    with pytest.raises(InvalidInputError, match="whole numbers"):
        BetaGeoBetaBinom().fit([1], [2.5], [6])


def test_gamma_gamma_refuses_non_positive_spend_of_repeat_buyers() -> None:
    with pytest.raises(InvalidInputError, match=r"monetary_value must be positive.*row 1"):
        GammaGamma().fit([1, 2], [10.0, 0.0])


# -- edge cases ---------------------------------------------------------------------------


@pytest.mark.parametrize("cls", [BetaGeo, ModifiedBetaGeo, ParetoNBD])
def test_nobody_with_a_repeat_purchase_is_a_clear_error(cls) -> None:
    with pytest.raises(InvalidInputError, match="no customer has a repeat purchase"):
        cls().fit([0, 0, 0], [0, 0, 0], [10, 20, 30])


def test_gamma_gamma_without_repeat_buyers_is_a_clear_error() -> None:
    with pytest.raises(InvalidInputError, match="needs customers with repeat purchases"):
        GammaGamma().fit([0, 0], [0, 0])


@pytest.mark.parametrize("cls", [BetaGeo, ParetoNBD])
def test_single_customer_cannot_identify_the_model(cls) -> None:
    with pytest.raises(InvalidInputError, match="did not converge"):
        cls().fit([2], [5], [10])


def test_single_customer_with_a_penalty_gives_finite_estimates() -> None:
    m = BetaGeo(penalizer=0.1).fit([2], [5], [10])
    assert all(np.isfinite(v) and v > 0 for v in m.params_.values())
    assert np.isfinite(m.log_likelihood_)


@pytest.mark.parametrize("cls", [BetaGeo, ModifiedBetaGeo, ParetoNBD])
def test_very_large_frequencies_fit_and_predict_finitely(cls) -> None:
    freq = np.append(CDNOW["frequency"], [1000, 3000])
    rec = np.append(CDNOW["recency"], [38.0, 30.0])
    big_t = np.append(CDNOW["T"], [38.86, 38.86])
    m = cls().fit(freq, rec, big_t)
    assert np.isfinite(m.log_likelihood_)
    alive = m.probability_alive([1000, 5000, 1500], [38.5, 20, 38.86], [38.86] * 3)
    expected = m.conditional_expected_purchases(
        10, [1000, 5000, 1500], [38.5, 20, 38.86], [38.86] * 3
    )
    assert np.all(np.isfinite(alive)) and np.all((alive >= 0) & (alive <= 1))
    assert np.all(np.isfinite(expected)) and np.all(expected >= 0)
    # 1,500 purchases in 38.86 weeks, the last one just now: ~38 a week, > 100 in 10 weeks
    assert expected[2] > 100
    # 5,000 purchases but none in the last 19 weeks: gone
    assert alive[1] < 1e-6


def test_recency_equal_to_t() -> None:
    # Pareto/NBD: bought at the very end, so certainly alive; BG/NBD: may drop out at
    # that purchase, with probability a / (a + b + x - 1) (FHL 2005 eq. 11).
    assert PNBD.probability_alive([3], [38.86], [38.86])[0] == pytest.approx(1.0)
    a, b = BG.params_["a"], BG.params_["b"]
    assert BG.probability_alive([3], [38.86], [38.86])[0] == pytest.approx(1 / (1 + a / (b + 2)))


@pytest.mark.parametrize("model", CONTINUOUS, ids=lambda m: type(m).__name__)
def test_p_alive_falls_with_time_since_last_purchase(model) -> None:
    big_t = np.linspace(10.0, 200.0, 60)
    alive = model.probability_alive(np.full(60, 4), np.full(60, 10.0), big_t)
    assert alive[0] > 0.5
    assert np.all(np.diff(alive) < 0)


def test_new_customer_p_alive_is_one_for_bg_nbd_only() -> None:
    assert BG.probability_alive([0], [0], [30])[0] == 1.0
    assert MBG.probability_alive([0], [0], [30])[0] < 1.0


# -- predictions against closed forms -------------------------------------------------------


def test_bg_nbd_conditional_expectation_matches_eq_10_with_hyp2f1() -> None:
    r, alpha, a, b = (BG.params_[k] for k in ("r", "alpha", "a", "b"))
    x = CDNOW["frequency"].to_numpy(float)[:300]
    tx = CDNOW["recency"].to_numpy()[:300]
    big_t = CDNOW["T"].to_numpy()[:300]
    t = 39.0
    z = t / (alpha + big_t + t)
    closed = (a + b + x - 1) / (a - 1)
    closed *= 1 - ((alpha + big_t) / (alpha + big_t + t)) ** (r + x) * hyp2f1(
        r + x, b + x, a + b + x - 1, z
    )
    closed /= 1 + (x > 0) * a / (b + x - 1) * ((alpha + big_t) / (alpha + tx)) ** (r + x)
    ours = BG.conditional_expected_purchases(t, x, tx, big_t)
    np.testing.assert_allclose(ours, closed, rtol=1e-9)


def test_bg_nbd_new_customer_expectation_matches_eq_7() -> None:
    r, alpha, a, b = (BG.params_[k] for k in ("r", "alpha", "a", "b"))
    t = np.array([1.0, 13.0, 39.0, 78.0])
    closed = (
        (a + b - 1)
        / (a - 1)
        * (1 - (alpha / (alpha + t)) ** r * hyp2f1(r, b, a + b - 1, t / (alpha + t)))
    )
    np.testing.assert_allclose(BG.expected_purchases_new_customer(t), closed, rtol=1e-10)


def test_cdnow_holdout_forecast_of_the_paper() -> None:
    # FHL 2005 (section 4): a customer with x=2, t_x=30.43, T=38.86 is expected to make
    # 1.226 purchases in the next 39 weeks.
    assert BG.conditional_expected_purchases(39, [2], [30.43], [38.86])[0] == pytest.approx(
        1.226, abs=5e-4
    )


@pytest.mark.parametrize("model", [BG, MBG, PNBD], ids=lambda m: type(m).__name__)
def test_purchase_count_distribution_sums_to_one_with_the_right_mean(model) -> None:
    n = np.arange(400)
    p = model.probability_of_purchases(n, 39.0)
    assert np.all(p >= 0)
    assert p.sum() == pytest.approx(1.0, abs=1e-8)
    assert (n * p).sum() == pytest.approx(model.expected_purchases_new_customer(39.0)[0], rel=1e-6)


def test_bg_bb_purchase_distribution_and_expectation() -> None:
    p = BGBB.probability_of_purchases(np.arange(7), 6)
    assert p.sum() == pytest.approx(1.0, abs=1e-12)
    assert (np.arange(7) * p).sum() == pytest.approx(BGBB.expected_purchases_new_customer(6)[0])


def test_bg_bb_conditional_expectation_matches_eq_13() -> None:
    from scipy.special import betaln, gamma

    a, b, g, d = (BGBB.params_[k] for k in ("alpha", "beta", "gamma", "delta"))
    x, tx, n, ns = np.array([6.0, 3.0, 0.0]), np.array([6.0, 6.0, 0.0]), 6, 5
    alive = BGBB.probability_alive(x, tx, [n] * 3)
    lik = (
        np.exp(betaln(a + x, b + n - x) - betaln(a, b) + betaln(g, d + n + 1) - betaln(g, d))
        / alive
    )
    closed = np.exp(betaln(a + x + 1, b + n - x) - betaln(a, b)) / lik * d / (g - 1)
    closed *= gamma(g + d) / gamma(1 + d)
    closed *= gamma(1 + d + n) / gamma(g + d + n) - gamma(1 + d + n + ns) / gamma(g + d + n + ns)
    np.testing.assert_allclose(
        BGBB.conditional_expected_purchases(ns, x, tx, [n] * 3), closed, rtol=1e-10
    )


def test_gamma_gamma_expected_spend_is_weighted_average() -> None:
    p, q, v = (GG.params_[k] for k in ("p", "q", "v"))
    population = p * v / (q - 1)
    assert GG.expected_average_spend() == pytest.approx(population)
    # x = 0 falls back to the population mean; many purchases pull to the own mean
    spend = GG.conditional_expected_average_spend([0, 1, 200], [0, 50.0, 50.0])
    assert spend[0] == pytest.approx(population)
    assert population < spend[1] < 50.0 < spend[2] + 1 and abs(spend[2] - 50.0) < 1.0


# -- value ---------------------------------------------------------------------------------


def test_clv_by_hand_for_one_month() -> None:
    clv = customer_lifetime_value(
        BG, 20.0, [2], [30.43], [38.86], months=1, discount_rate=0.1, periods_per_month=4.0
    )
    expected = 20.0 * BG.conditional_expected_purchases(4.0, [2], [30.43], [38.86])[0] / 1.1
    assert clv[0] == pytest.approx(expected)


def test_clv_grows_with_horizon_and_falls_with_discount_rate() -> None:
    args = (PNBD, GG, SPEND["x"][:50], SPEND["t_x"][:50], SPEND["T"][:50], SPEND["zbar"][:50])
    short = customer_lifetime_value(*args, months=6, periods_per_month=4.35)
    long = customer_lifetime_value(*args, months=24, periods_per_month=4.35)
    dear = customer_lifetime_value(*args, months=24, periods_per_month=4.35, discount_rate=0.05)
    assert np.all(long >= short) and np.all(long >= dear) and np.any(long > dear)


def test_clv_with_bg_bb_in_opportunities() -> None:
    clv = customer_lifetime_value(BGBB, 50.0, [6, 0], [6, 0], [6, 6], months=3, periods_per_month=1)
    assert clv[0] > clv[1] > 0


# -- persistence ---------------------------------------------------------------------------


@pytest.mark.parametrize("model", [BG, MBG, PNBD, GG, BGBB], ids=lambda m: type(m).__name__)
def test_json_round_trip(model) -> None:
    loaded = type(model).from_json(model.to_json())
    assert loaded.params_ == model.params_
    assert loaded.standard_errors_ == model.standard_errors_
    assert loaded.log_likelihood_ == model.log_likelihood_
    pd.testing.assert_frame_equal(loaded.summary(), model.summary())


def test_json_of_another_model_is_refused() -> None:
    with pytest.raises(InvalidInputError, match="holds a 'BetaGeo' model, not a ParetoNBD"):
        ParetoNBD.from_json(BG.to_json())
    with pytest.raises(InvalidInputError, match="invalid JSON"):
        BetaGeo.from_json("{nope")


def test_unfitted_model_says_so() -> None:
    with pytest.raises(InvalidInputError, match="not fitted yet"):
        BetaGeo().probability_alive([1], [1], [2])


def test_weights_equal_repeated_rows() -> None:
    d = CDNOW.iloc[:400]
    w = np.tile([1, 2, 3, 1], 100)
    weighted = BetaGeo().fit(d["frequency"], d["recency"], d["T"], weights=w)
    rep = d.loc[d.index.repeat(w)]
    repeated = BetaGeo().fit(rep["frequency"], rep["recency"], rep["T"])
    assert weighted.log_likelihood_ == pytest.approx(repeated.log_likelihood_, rel=1e-10)


def test_penalty_shrinks_towards_the_neutral_start() -> None:
    # penalty: penalizer * sum((log p - log p0)^2), p0 = (1, 1/rate, 1, 1) for BG/NBD
    rate = CDNOW["frequency"].sum() / CDNOW["T"].sum()
    center = np.log([1.0, 1.0 / rate, 1.0, 1.0])

    def distance(params: dict[str, float]) -> float:
        z = np.log([params[k] for k in ("r", "alpha", "a", "b")])
        return float(((z - center) ** 2).sum())

    shrunk = BetaGeo(penalizer=0.1).fit(CDNOW["frequency"], CDNOW["recency"], CDNOW["T"])
    assert distance(shrunk.params_) < distance(BG.params_)
    # the penalised fit gives up likelihood (the unpenalised one is the maximum)
    assert shrunk.log_likelihood_ < BG.log_likelihood_


# -- properties ----------------------------------------------------------------------------

histories = st.tuples(st.integers(0, 300), st.floats(0.0, 1.0), st.floats(0.01, 500.0)).map(
    lambda h: (h[0], 0.0 if h[0] == 0 else h[1] * h[2], h[2])
)


@settings(max_examples=60, deadline=None)
@given(history=histories, t=st.floats(0.0, 500.0))
def test_predictions_are_probabilities_and_non_negative(history, t) -> None:
    x, tx, big_t = history
    for model in CONTINUOUS:
        alive = model.probability_alive([x], [tx], [big_t])[0]
        assert 0.0 <= alive <= 1.0
        expected = model.conditional_expected_purchases(t, [x], [tx], [big_t])[0]
        assert np.isfinite(expected) and expected >= 0.0


@settings(max_examples=40, deadline=None)
@given(history=histories, spend=st.floats(0.01, 1e4), rate=st.floats(0.0, 0.5))
def test_clv_is_non_negative(history, spend, rate) -> None:
    x, tx, big_t = history
    clv = customer_lifetime_value(
        BG, GG, [x], [tx], [big_t], [spend], months=6, discount_rate=rate, periods_per_month=4.35
    )
    assert np.isfinite(clv[0]) and clv[0] >= 0.0


@pytest.mark.parametrize("cls", [BetaGeo, ParetoNBD])
def test_time_unit_changes_only_scale_parameters_and_the_density_unit(cls) -> None:
    # Weeks -> days: alpha (and beta) scale by 7, shapes stay, and the full
    # log-likelihood (a density in time) drops by sum(x) * ln 7.
    weeks = cls().fit(CDNOW["frequency"], CDNOW["recency"], CDNOW["T"])
    days = cls().fit(CDNOW["frequency"], CDNOW["recency"] * 7, CDNOW["T"] * 7)
    for name, value in weeks.params_.items():
        factor = 7.0 if name in {"alpha", "beta"} else 1.0
        assert days.params_[name] == pytest.approx(value * factor, rel=1e-4)
    shift = CDNOW["frequency"].sum() * np.log(7.0)
    assert days.log_likelihood_ == pytest.approx(weeks.log_likelihood_ - shift, rel=1e-9)
