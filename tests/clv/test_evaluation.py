"""Calibration/holdout evaluation, model comparison, charts and the trust report."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from retain.clv import BetaGeo, GammaGamma, ModifiedBetaGeo, ParetoNBD
from retain.clv.charts import (
    plot_calibration_holdout,
    plot_frequency_recency,
    plot_period_transactions,
)
from retain.clv.evaluation import (
    calibration_holdout,
    compare_models,
    error_metrics,
    holdout_by_frequency,
    holdout_predictions,
)
from retain.clv.trust import assess_fit, fit_small_data, prediction_interval
from retain.errors import InvalidInputError, MissingColumnsError

from .datasets import cdnow_spend, cdnow_summary, cdnow_transactions

FRAME = calibration_holdout(cdnow_transactions(), "1997-09-30", "1998-06-30", period="W")
CAL = (FRAME["frequency_cal"], FRAME["recency_cal"], FRAME["T_cal"])


def test_split_reproduces_the_published_cdnow_summary() -> None:
    # The 39-week calibration summary distributed with the paper's data, to its 2 decimals.
    published = cdnow_summary().set_index("ID")
    spend = cdnow_spend().set_index("ID")
    assert len(FRAME) == len(published) == 2357
    joined = FRAME.join(published).join(spend[["zbar"]])
    assert (joined["frequency_cal"] == joined["frequency"]).all()
    np.testing.assert_allclose(joined["recency_cal"], joined["recency"], atol=0.005)
    np.testing.assert_allclose(joined["T_cal"], joined["T"], atol=0.005)
    np.testing.assert_allclose(joined["monetary_value_cal"], joined["zbar"], atol=0.005)
    assert (FRAME["duration_holdout"] == 39.0).all()


def test_split_by_hand() -> None:
    log = pd.DataFrame(
        {
            "customer_id": ["a", "a", "a", "a", "b", "c", "a"],
            "ordered_at": pd.to_datetime(
                [
                    "2024-01-01 09:00",
                    "2024-01-01 17:00",  # same day: one purchase, amounts summed
                    "2024-01-11 00:00",
                    "2024-01-21 00:00",
                    "2024-01-05 00:00",
                    "2024-02-10 00:00",  # first purchase after calibration: left out
                    "2024-02-05 00:00",  # holdout
                ]
            ),
            "amount": [10.0, 5.0, 20.0, 40.0, 7.0, 9.0, 11.0],
        }
    )
    out = calibration_holdout(log, "2024-01-31", "2024-03-01")
    assert list(out.index) == ["a", "b"]
    a = out.loc["a"]
    assert (a["frequency_cal"], a["recency_cal"], a["T_cal"]) == (2, 20.0, 30.0)
    assert a["monetary_value_cal"] == 30.0  # mean of 20 and 40; the first day is excluded
    assert (a["frequency_holdout"], a["duration_holdout"]) == (1, 30.0)
    b = out.loc["b"]
    assert (b["frequency_cal"], b["recency_cal"], b["T_cal"], b["frequency_holdout"]) == (
        0,
        0,
        26,
        0,
    )


def test_split_checks_its_inputs() -> None:
    with pytest.raises(MissingColumnsError, match="'amount'"):
        calibration_holdout(
            pd.DataFrame({"customer_id": [1], "ordered_at": ["2024-01-01"]}),
            "2024-02-01",
            "2024-03-01",
        )
    log = pd.DataFrame({"customer_id": [1], "ordered_at": ["2024-01-01"], "amount": [1.0]})
    with pytest.raises(InvalidInputError, match="must come after"):
        calibration_holdout(log, "2024-02-01", "2024-01-01")


def test_bg_nbd_beats_the_naive_baseline_on_cdnow() -> None:
    model = BetaGeo().fit(*CAL)
    pred = holdout_predictions(model, FRAME)
    table = holdout_by_frequency(pred)
    assert list(table.index) == ["0", "1", "2", "3", "4", "5", "6", "7+"]
    assert table["customers"].sum() == 2357
    # the naive rate predicts nothing for one-time buyers, who do come back
    assert table.loc["0", "naive"] == 0 and table.loc["0", "actual"] > 0.2
    ours = error_metrics(pred["actual"], pred["predicted"])
    naive = error_metrics(pred["actual"], pred["naive"])
    assert ours["rmse"] < naive["rmse"] and ours["mae"] < naive["mae"]
    assert abs(ours["aggregate_error"]) < 0.15


def test_error_metrics_by_hand() -> None:
    m = error_metrics([0, 2, 4], [1, 2, 2])
    assert m["mae"] == pytest.approx(1.0)
    assert m["rmse"] == pytest.approx(np.sqrt(5 / 3))
    assert m["aggregate_error"] == pytest.approx(-1 / 6)


def test_compare_models_ranks_by_rmse_with_the_naive_row() -> None:
    models = {
        "BG/NBD": BetaGeo().fit(*CAL),
        "MBG/NBD": ModifiedBetaGeo().fit(*CAL),
        "Pareto/NBD": ParetoNBD().fit(*CAL),
    }
    table = compare_models(models, FRAME)
    assert set(table.index) == {"BG/NBD", "MBG/NBD", "Pareto/NBD", "naive (past rate)"}
    assert table["rmse"].is_monotonic_increasing
    assert table.index[-1] == "naive (past rate)"
    assert table.loc["BG/NBD", "aic"] == pytest.approx(8 + 2 * 9582.4256, abs=0.01)


@pytest.mark.parametrize("suffix", [".png", ".svg"])
def test_charts_are_written(tmp_path, suffix: str) -> None:
    model = BetaGeo().fit(*CAL)
    table = holdout_by_frequency(holdout_predictions(model, FRAME))
    paths = [
        plot_period_transactions(model, CAL[0], CAL[2], tmp_path / f"period{suffix}"),
        plot_calibration_holdout(table, tmp_path / f"holdout{suffix}"),
        plot_frequency_recency(model, tmp_path / f"heat{suffix}", T=39.0, t=39.0),
    ]
    for path in paths:
        data = path.read_bytes()
        assert len(data) > 5000
        assert data.startswith(b"\x89PNG") if suffix == ".png" else b"<svg" in data[:2000]


def test_chart_suffix_is_checked(tmp_path) -> None:
    model = BetaGeo().fit(*CAL)
    with pytest.raises(InvalidInputError, match=r"\.png or \.svg"):
        plot_frequency_recency(model, tmp_path / "x.pdf", T=39.0, t=39.0)


def test_trust_report_on_cdnow_and_on_a_small_shop() -> None:
    big = BetaGeo().fit(*CAL)
    report = assess_fit(big, CAL[0])
    assert report.repeat_buyers == 946
    # a and b are only known to about ±25-30% on 2,357 customers: "fair"
    assert report.level == "fair" and report.worst_parameter in {"a", "b"}
    assert "946 repeat buyers among 2,357 customers" in report.message

    small = FRAME.sample(120, random_state=3)
    model, small_report = fit_small_data(
        BetaGeo, small["frequency_cal"], small["recency_cal"], small["T_cal"]
    )
    assert model.penalizer == 0.01
    assert small_report.level == "poor"
    assert "ranking only" in small_report.message


def test_prediction_interval_contains_the_estimate_and_widens_on_small_data() -> None:
    big = BetaGeo().fit(*CAL)
    small_rows = FRAME.sample(200, random_state=5)
    small, _ = fit_small_data(
        BetaGeo, small_rows["frequency_cal"], small_rows["recency_cal"], small_rows["T_cal"]
    )
    args = (39.0, [2, 0], [30.43, 0.0], [38.86, 38.86])
    for model in (big, small):
        lo, hi = prediction_interval(model, "conditional_expected_purchases", *args, draws=100)
        point = model.conditional_expected_purchases(*args)
        assert np.all(lo <= point) and np.all(point <= hi)
    lo_b, hi_b = prediction_interval(big, "conditional_expected_purchases", *args, draws=100)
    lo_s, hi_s = prediction_interval(small, "conditional_expected_purchases", *args, draws=100)
    assert np.all(hi_s - lo_s > hi_b - lo_b)


def test_gamma_gamma_small_data_fit() -> None:
    spend = cdnow_spend().sample(150, random_state=1)
    model, report = fit_small_data(GammaGamma, spend["x"], spend["zbar"])
    assert model.penalizer == 0.01 and report.level in {"fair", "poor"}
