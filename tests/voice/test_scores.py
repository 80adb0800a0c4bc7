"""NPS, its intervals, CSAT and the baseline test on cases worked out by hand."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from retain.errors import InvalidInputError
from retain.voice import compare, csat, nps, required_sample

Z = 1.959963984540054


def test_hand_worked_nps_and_normal_margin():
    # 6 promoters, 2 passives, 2 detractors: NPS = 60% - 20% = 40.
    # Var(X) = 0.6 + 0.2 - 0.4^2 = 0.64; SE = sqrt(0.64 / 10) = 0.25298; MOE = 1.96 * SE
    r = nps([9, 10, 9, 10, 9, 10, 7, 8, 0, 6])
    assert (r.n, r.promoters, r.passives, r.detractors) == (10, 6, 2, 2)
    assert r.score == pytest.approx(40.0)
    assert r.standard_error == pytest.approx(100 * math.sqrt(0.064))
    assert r.margin_of_error == pytest.approx(100 * Z * math.sqrt(0.064))
    assert r.margin_of_error == pytest.approx(49.58, abs=0.01)
    assert (r.low, r.high) == pytest.approx((40 - 49.584, 40 + 49.584), abs=0.01)
    assert r.warning is not None and "10 answer" in r.warning


def test_boundaries_of_the_categories():
    r = nps([6, 7, 8, 9])
    assert (r.detractors, r.passives, r.promoters) == (1, 2, 1)
    assert r.score == 0


def test_published_tango_interval():
    # Fagerland, Lydersen & Laake (2017), ch. 8, Cavo et al. (2012): discordant cells
    # 6 and 16 of 161 pairs. Tango score CI -0.1240 to -0.0054, Wald -0.1184 to -0.0058.
    r = nps([10] * 6 + [0] * 16 + [8] * 139)
    assert r.score == pytest.approx(-6.21, abs=0.005)
    assert (r.score_low, r.score_high) == pytest.approx((-12.40, -0.54), abs=0.005)
    assert (r.low, r.high) == pytest.approx((-11.84, -0.58), abs=0.005)
    assert r.warning is None


def test_all_promoters():
    # Normal interval collapses; the score interval of n promoters has the closed form
    # lower = (n - z^2) / (n + z^2): n = 10 -> 0.44493.
    r = nps([10] * 10)
    assert r.score == 100 and r.margin_of_error == 0 and (r.low, r.high) == (100, 100)
    assert r.score_low == pytest.approx(100 * (10 - Z**2) / (10 + Z**2))
    assert r.score_low == pytest.approx(44.49, abs=0.01)
    assert r.score_high == 100


def test_all_detractors():
    r = nps([0, 3, 6, 5, 1, 2, 4, 0, 0, 6])
    assert r.score == -100 and r.detractors == 10
    assert r.score_low == -100
    assert r.score_high == pytest.approx(-44.49, abs=0.01)


def test_single_response():
    # n = 1 promoter: Z(d) = sqrt((1 - d) / (1 + d)) = z -> d = (1 - z^2) / (1 + z^2) = -0.5869
    r = nps([9])
    assert (r.n, r.score, r.margin_of_error) == (1, 100, 0)
    assert r.score_low == pytest.approx(-58.69, abs=0.01)
    assert r.score_high == 100
    assert "only 1 answer" in r.warning


def test_empty_input_is_a_clear_error():
    with pytest.raises(InvalidInputError, match="no answers"):
        nps([])


@pytest.mark.parametrize("bad", [11, -1, 7.5, "x", None, float("nan"), True])
def test_scores_off_the_scale_are_named(bad):
    with pytest.raises(InvalidInputError, match=r"position #1"):
        nps([9, bad])


def test_finite_population_correction():
    # 10 answers of 20 customers: variance times (20 - 10) / (20 - 1)
    r = nps([9, 10, 9, 10, 9, 10, 7, 8, 0, 6], population=20)
    assert r.fpc == pytest.approx(10 / 19)
    assert r.margin_of_error == pytest.approx(100 * Z * math.sqrt(0.064 * 10 / 19))
    census = nps([9, 10, 0], population=3)
    assert census.margin_of_error == 0 and census.score_low == census.score_high == census.score
    with pytest.raises(InvalidInputError, match="population 2 is smaller"):
        nps([9, 10, 0], population=2)


def test_min_n_warning_threshold():
    assert nps([9] * 30).warning is None
    assert nps([9] * 29).warning is not None
    assert nps([9] * 5, min_n=5).warning is None


def test_csat_with_wilson_interval():
    # 8 of 10 satisfied: Wilson interval 0.4902 .. 0.9433 (Wilson 1927; Newcombe 1998 table)
    r = csat([5, 5, 4, 4, 5, 4, 4, 5, 2, 3])
    assert r.score == 80 and r.satisfied == 8
    assert (r.low, r.high) == pytest.approx((49.02, 94.33), abs=0.01)
    with pytest.raises(InvalidInputError, match=r"1\.\.5"):
        csat([0, 5])
    with pytest.raises(InvalidInputError, match="no answers"):
        csat([])


def test_baseline_comparison_hand_worked():
    # current: 6 P, 2 pass, 2 D (NPS 40); baseline: 3 P, 3 pass, 4 D (NPS -10)
    # unpooled SE = sqrt(0.64/10 + 0.69/10) = 0.36469; pooled: P 0.45, D 0.30,
    # Var0 = 0.75 - 0.15^2 = 0.7275, SE0 = sqrt(0.7275 * 0.2) = 0.38144, z = 1.3108, p = 0.1899
    c = compare([9, 10, 9, 10, 9, 10, 7, 8, 0, 6], [9, 10, 9, 7, 8, 7, 0, 1, 2, 3])
    assert c.difference == pytest.approx(50.0)
    assert c.standard_error == pytest.approx(36.469, abs=0.001)
    assert c.z == pytest.approx(1.3108, abs=0.0001)
    assert c.p_value == pytest.approx(0.1899, abs=0.0001)
    assert not c.significant
    assert c.mover_low < 0 < c.mover_high


def test_baseline_comparison_detects_a_real_change():
    # 200 answers each: NPS 30 vs NPS 0 (z = 3.4): significant
    c = compare([10] * 100 + [8] * 40 + [0] * 60, [10] * 60 + [8] * 80 + [0] * 60)
    assert c.difference == pytest.approx(20.0)
    assert c.significant and c.p_value < 0.05
    assert c.low > 0 and c.mover_low > 0


def test_baseline_comparison_of_identical_all_promoters_is_no_change():
    c = compare([10] * 5, [9] * 5)
    assert c.difference == 0 and c.p_value == 1 and not c.significant
    assert c.mover_low < 0 < c.mover_high


def test_baseline_comparison_single_responses():
    c = compare([10], [0])
    assert c.difference == 200
    # pooled Var0 = 0.5 + 0.5 - 0 = 1; SE0 = sqrt(2); z = 2 / sqrt(2)
    assert c.z == pytest.approx(math.sqrt(2))
    assert not c.significant
    with pytest.raises(InvalidInputError):
        compare([], [10])


def test_required_sample():
    # worst case variance 1: n = (1.96 / 0.10)^2 = 384.1 -> 385 for +-10 points
    assert required_sample(10) == 385
    assert required_sample(5, variance=0.5) == 769


@given(st.lists(st.integers(0, 10), min_size=1, max_size=200))
def test_nps_invariants(scores):
    r = nps(scores)
    assert -100 <= r.score <= 100
    assert r.promoters + r.passives + r.detractors == r.n == len(scores)
    assert -100 <= r.low <= r.score <= r.high <= 100
    assert -100 <= r.score_low <= r.score + 1e-9
    assert r.score - 1e-9 <= r.score_high <= 100
    assert r.margin_of_error >= 0


@given(
    st.lists(st.integers(0, 10), min_size=1, max_size=80),
    st.lists(st.integers(0, 10), min_size=1, max_size=80),
)
def test_comparison_invariants(a, b):
    c = compare(a, b)
    assert c.difference == pytest.approx(nps(a).score - nps(b).score)
    assert -200 <= c.mover_low <= c.difference + 1e-9
    assert c.difference - 1e-9 <= c.mover_high <= 200
    assert 0 <= c.p_value <= 1
    swapped = compare(b, a)
    assert swapped.p_value == pytest.approx(c.p_value)
    assert swapped.mover_low == pytest.approx(-c.mover_high)
