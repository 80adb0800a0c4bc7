"""Fitting on the store and storing the scores (retain.clv.scores, retain.store.clv)."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime

import numpy as np
import pytest
import sqlalchemy as sa
from tests.clv_store.conftest import AS_OF, write_orders

from retain.analytics import customer_summary
from retain.clv import BetaGeo
from retain.clv.scores import (
    DAYS_PER_MONTH,
    fit_scores,
    latest_scores,
    load_models,
    read_orders,
    stored_fits,
)
from retain.errors import InvalidInputError, NotFoundError
from retain.ingest import import_file

NOW = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)


def _fit(store, **kw):
    kw.setdefault("as_of", AS_OF)
    kw.setdefault("currency", "USD")
    kw.setdefault("fitted_at", NOW)
    return fit_scores(store, **kw)


def test_nothing_fitted_yet(store):
    empty = latest_scores(store)
    assert empty.empty
    assert list(empty.columns)[:6] == [
        "customer_id",
        "p_alive",
        "clv_minor",
        "expected_purchases",
        "model",
        "as_of",
    ]
    with pytest.raises(NotFoundError, match="run `retain clv fit` first"):
        load_models(store)
    one_model = latest_scores(store, "pareto")
    assert one_model.empty and list(one_model.columns) == list(empty.columns)


def test_fit_stores_one_row_per_buyer_and_a_refit_replaces(shop):
    summary = customer_summary(read_orders(shop, "USD"), as_of=AS_OF)
    run = _fit(shop)
    first = latest_scores(shop)
    assert len(first) == len(summary) == len(run.scores)
    assert first["customer_id"].is_unique
    assert sorted(first["customer_id"]) == sorted(summary["customer_id"])
    assert set(first["model"]) == {"bgnbd"} and set(first["as_of"]) == {AS_OF}

    _fit(shop, horizon_months=6, fitted_at=datetime(2026, 11, 3, tzinfo=UTC))
    again = latest_scores(shop)
    assert len(again) == len(first)
    assert set(again["horizon_months"]) == {6}
    # half the horizon, less value (same fit: same data, same model)
    assert again["clv_minor"].sum() < first["clv_minor"].sum()
    assert [f["model"] for f in stored_fits(shop)] == ["bgnbd"]

    _fit(shop, model="pareto", fitted_at=datetime(2026, 11, 4, tzinfo=UTC))
    assert [f["model"] for f in stored_fits(shop)] == ["pareto", "bgnbd"]
    assert set(latest_scores(shop)["model"]) == {"pareto"}  # the newest by default
    assert len(latest_scores(shop, "bgnbd")) == len(first)  # the other model's rows kept
    with shop.read() as conn:
        rows = conn.execute(sa.text("SELECT COUNT(*) FROM customer_scores")).scalar_one()
    assert rows == 2 * len(first)


def test_scores_are_within_their_ranges_and_money_is_integer(shop):
    _fit(shop)
    scores = latest_scores(shop)
    assert scores["p_alive"].between(0.0, 1.0).all()
    assert (scores["clv_minor"] >= 0).all() and (scores["expected_purchases"] >= 0).all()
    assert scores["clv_minor"].dtype == np.int64
    assert scores["clv_minor"].sum() > 0
    with shop.read() as conn:
        query = "SELECT clv_minor, expected_spend_minor FROM customer_scores"
        stored = conn.execute(sa.text(query))
        values = [v for row in stored for v in row]
    assert all(type(v) is int for v in values)


def test_stored_values_are_the_models_predictions(shop):
    run = _fit(shop, horizon_months=12, discount_rate=0.10)
    summary = customer_summary(read_orders(shop, "USD"), as_of=AS_OF)
    seen = summary[summary["T"] > 0]
    # 1,222 repeat buyers: no penalty, so a plain fit of our own gives the same parameters
    direct = BetaGeo().fit(seen["frequency"], seen["recency"], seen["T"])
    for name, value in direct.params_.items():
        assert run.fit["params"]["purchases"][name] == pytest.approx(value, rel=1e-6)

    fit, _, spend = load_models(shop, "bgnbd")
    assert fit["trust_level"] in ("good", "fair")
    stored = latest_scores(shop).set_index("customer_id")
    monthly = 1.10 ** (1 / 12) - 1
    repeaters = summary[summary["frequency"] >= 3].head(2)
    one_timer = summary[(summary["frequency"] == 0) & (summary["T"] > 0)].head(1)
    for _, c in [*repeaters.iterrows(), *one_timer.iterrows()]:
        f, r, t, m = c["frequency"], c["recency"], c["T"], c["monetary_value"]
        row = stored.loc[c["customer_id"]]
        p_alive = float(direct.probability_alive(f, r, t)[0])
        assert row["p_alive"] == pytest.approx(p_alive, rel=1e-6)
        year = float(direct.conditional_expected_purchases(365.25, f, r, t)[0])
        assert row["expected_purchases"] == pytest.approx(year, rel=1e-6)
        per_purchase = float(spend.conditional_expected_average_spend(f, m)[0])
        assert row["expected_spend_minor"] == round(per_purchase)
        # discounted cash flow over 12 monthly steps, written out
        expected = [
            float(direct.conditional_expected_purchases(k * DAYS_PER_MONTH, f, r, t)[0])
            for k in range(13)
        ]
        value = sum(
            per_purchase * (expected[k] - expected[k - 1]) / (1 + monthly) ** k
            for k in range(1, 13)
        )
        assert abs(row["clv_minor"] - value) <= 1.0
        assert math.isfinite(value) and value > 0


def test_too_few_repeat_buyers_is_a_clear_error(store, usd, tmp_path):
    rows = [("A", "2026-01-05", "10"), ("A", "2026-03-01", "12"), ("B", "2026-02-01", "8")]
    rows += [(f"C{i}", "2026-04-01", "5") for i in range(5)]
    import_file(store, "orders", write_orders(tmp_path / "o.csv", rows), settings=usd)
    with pytest.raises(InvalidInputError, match=r"only 1 of 7 customers bought again by"):
        _fit(store)
    assert latest_scores(store).empty


def test_orders_in_another_currency_say_so(store, usd, tmp_path):
    rows = [("A", "2026-01-05", "10"), ("A", "2026-03-01", "12")]
    import_file(store, "orders", write_orders(tmp_path / "o.csv", rows), settings=usd)
    with pytest.raises(InvalidInputError, match="no orders in the business currency EUR"):
        _fit(store, currency="EUR")


def test_bad_arguments(shop):
    with pytest.raises(InvalidInputError, match="unknown model 'bgbb'"):
        _fit(shop, model="bgbb")
    with pytest.raises(InvalidInputError, match="whole months"):
        _fit(shop, horizon_months=0)
    with pytest.raises(InvalidInputError, match="yearly rate above -1"):
        _fit(shop, discount_rate=-2.0)
    assert date(2026, 10, 31) == AS_OF  # nothing stored by the failures
    assert latest_scores(shop).empty
