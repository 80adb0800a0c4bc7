"""Segment size and worth, warnings, the side-by-side table and the corrected profile."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from retain.audience import benjamini_hochberg, compare_segments, profile, segment_size
from retain.errors import InvalidInputError


def frame_of(n: int = 10) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "revenue": [100.0 * (k + 1) for k in range(n)],  # 100 .. 1000, total 5500
            "clv": [10.0] * (n - 1) + [np.nan],  # 90 in all
        }
    )


def test_size_and_shares_by_hand():
    mask = np.zeros(10, dtype=bool)
    mask[[0, 4, 9]] = True  # revenue 100 + 500 + 1000 = 1600; clv 10 + 10 + missing
    size = segment_size(frame_of(), mask, min_size=2)
    assert (size.customers, size.total) == (3, 10)
    assert size.share == pytest.approx(0.3)
    assert size.revenue == pytest.approx(1600.0)
    assert size.revenue_share == pytest.approx(1600 / 5500)
    assert size.clv == pytest.approx(20.0)
    assert size.value_share == pytest.approx(20 / 90)
    assert size.warnings == []


def test_warnings_too_small_empty_and_everyone():
    frame = frame_of()
    small = segment_size(frame, np.arange(10) < 3)  # default: fewer than 50 is too small
    assert len(small.warnings) == 1 and small.warnings[0].startswith("too small: 3 customers")
    assert segment_size(frame, np.zeros(10, bool)).warnings == ["empty: no customer matches"]
    everyone = segment_size(frame, np.ones(10, bool), min_size=5)
    assert everyone.warnings[0].startswith("everyone: 100%")
    assert (
        segment_size(frame, np.arange(10) < 9, min_size=5, max_share=0.9)
        .warnings[0]
        .startswith("everyone: 90%")
    )
    assert segment_size(frame, np.arange(10) < 8, min_size=5, max_share=0.9).warnings == []
    with pytest.raises(InvalidInputError, match="mask has 3 values for 10"):
        segment_size(frame, [True, False, True])


def test_benjamini_hochberg_by_hand_and_against_scipy():
    p = [0.01, 0.04, 0.03, 0.20]
    # sorted 0.01 0.03 0.04 0.20 -> p*m/rank = 0.04 0.06 0.0533 0.20 -> running min from the top
    expected = [0.04, 0.16 / 3, 0.16 / 3, 0.20]
    assert benjamini_hochberg(p) == pytest.approx(expected)
    rng = np.random.default_rng(3)
    many = rng.random(200) ** 2
    assert benjamini_hochberg(many) == pytest.approx(stats.false_discovery_control(many))
    assert np.isnan(benjamini_hochberg([0.1, np.nan])[1])


def test_profile_finds_a_real_difference():
    rng = np.random.default_rng(0)
    n = 1200
    best = np.arange(n) < 200
    country = np.where(
        best, rng.choice(["DE", "AT"], n, p=[0.8, 0.2]), rng.choice(["DE", "AT"], n, p=[0.4, 0.6])
    )
    frame = pd.DataFrame(
        {"country": country, "age": np.where(best, 50, 30) + rng.integers(-5, 6, n)}
    )
    out = profile(frame, best, categorical=["country"], numeric=["age"])
    row = out[(out.attribute == "country") & (out.value == "DE")].iloc[0]
    assert row.significant and row.lift > 1.5  # 0.8 / 0.4 = 2 in expectation
    assert row.group == (country[best] == "DE").sum()
    assert row.group_share == pytest.approx((country[best] == "DE").mean())
    table = [[row.group, 200 - row.group], [row.rest, 1000 - row.rest]]
    assert row.p_value == pytest.approx(stats.fisher_exact(table).pvalue)
    age = out[out.attribute == "age"].iloc[0]
    assert age.value == "median" and age.group > age.rest and age.significant


def test_profile_does_not_report_chance_niches():
    # 40 cities independent of the group: some raw p-values fall under 0.05 by chance,
    # none survives the Benjamini-Hochberg correction
    rng = np.random.default_rng(3)
    n = 1200
    frame = pd.DataFrame({"city": rng.choice([f"city{i}" for i in range(40)], n)})
    out = profile(frame, rng.random(n) < 0.2, numeric=())
    assert (out.p_value < 0.05).sum() >= 2
    assert not out.significant.any()
    assert (out.q_value >= out.p_value).all()


def test_profile_needs_a_group_and_a_rest():
    frame = pd.DataFrame({"country": ["DE"] * 10})
    with pytest.raises(InvalidInputError, match="empty or everyone"):
        profile(frame, np.ones(10, bool))


def test_compare_segments_by_hand():
    frame = pd.DataFrame(
        {
            "stage": ["loyal", "active", "lapsed", "prospect", "new", "inactive"],
            "purchases": [5, 2, 3, 0, 1, 1],
            "nps": pd.array([10, 9, 3, 7, None, None], dtype="Int64"),
            "clv": [300.0, 100.0, 50.0, np.nan, 20.0, 0.0],
        }
    )
    first4 = np.arange(6) < 4
    out = compare_segments(frame, {"first4": first4, "all": np.ones(6, bool)})
    row = out.iloc[0]
    assert row.customers == 4 and row.share == pytest.approx(4 / 6)
    assert row.nps == pytest.approx(25.0)  # 2 promoters, 1 detractor of 4 answers
    assert row.nps_answers == 4
    assert row.mean_clv == pytest.approx(150.0)
    assert row.repeat_rate == pytest.approx(1.0)  # buyers 5, 2, 3 purchase days
    assert row.retained == pytest.approx(2 / 3)  # loyal and active of three buyers
    assert row.stage_prospect == pytest.approx(0.25)
    total = out.iloc[1]
    assert total.repeat_rate == pytest.approx(3 / 5) and total.retained == pytest.approx(3 / 5)
    assert sum(
        total[f"stage_{s}"] for s in ("prospect", "new", "active", "loyal", "lapsed", "inactive")
    ) == pytest.approx(1)
