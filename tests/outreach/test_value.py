"""The value behind the ranking: revenue per year, or the CLV models when asked."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from retain.clv import BetaGeo, GammaGamma
from retain.outreach import customer_facts
from retain.outreach.value import model_value

from .kit import NOW, cfg


def summary(n: int = 300, seed: int = 3) -> pd.DataFrame:
    """A made-up BTYD summary in days: repeat buyers and one-time buyers."""
    rng = np.random.default_rng(seed)
    T = rng.integers(60, 700, n).astype(float)
    freq = rng.poisson(2.0, n).astype(float)
    rec = np.where(freq > 0, np.floor(T * rng.uniform(0.2, 1.0, n)), 0.0)
    spend = np.where(freq > 0, rng.gamma(4.0, 2500.0, n), 0.0)
    orders = freq + 1
    revenue = spend * orders + np.where(freq == 0, 4000.0, 0.0)
    return pd.DataFrame(
        {
            "frequency": freq,
            "recency": rec,
            "T": T,
            "monetary_value": spend,
            "revenue": revenue,
            "orders": orders,
        }
    )


def test_model_value_is_expected_purchases_times_expected_spend():
    s = summary()
    got = model_value(s)
    f, r, t = s["frequency"], s["recency"], s["T"]
    purchases = BetaGeo().fit(f, r, t).conditional_expected_purchases(365.0, f, r, t)
    rep = f > 0
    gg = GammaGamma().fit(f[rep], s["monetary_value"][rep])
    spend = np.array(s["revenue"] / s["orders"], dtype=float)
    spend[rep.to_numpy()] = gg.conditional_expected_average_spend(f[rep], s["monetary_value"][rep])
    np.testing.assert_allclose(got.to_numpy(), np.asarray(purchases) * spend, rtol=1e-9)
    assert (got >= 0).all()


def test_model_value_is_missing_where_the_models_cannot_speak():
    s = summary(5)
    s.loc[0, ["frequency", "recency", "T"]] = np.nan  # a prospect
    tiny = model_value(s.head(1))
    assert tiny.isna().all()
    assert model_value(s.iloc[0:0]).empty


@pytest.fixture
def few(seed):
    ids = []
    for k in range(12):
        cid = seed.customer(f"V{k:02d}")
        seed.orders(cid, [300 - 20 * k, 200 - 10 * k, 100 - 5 * k][: 1 + k % 3], 5_000 + 100 * k)
        ids.append(cid)
    seed.customer("PROSPECT")
    return ids


def test_facts_use_the_models_when_asked_and_say_so(store, few):
    by_revenue = customer_facts(store, NOW, cfg()).set_index("customer_id")
    assert set(by_revenue["value_source"]) == {"revenue_per_year"}
    by_model = customer_facts(store, NOW, cfg(value_from="clv")).set_index("customer_id")
    assert set(by_model["value_source"]) <= {"clv_model", "revenue_per_year"}
    modelled = by_model["value_source"] == "clv_model"
    assert modelled.loc[few].all()  # every buyer is valued by the models
    assert (by_model.loc[modelled, "value_minor"] >= 0).all()
    assert not by_model["value_minor"].loc[few].equals(by_revenue["value_minor"].loc[few])


def store_scores(store, day, rows: dict[int, int], horizon_months: int = 6) -> None:
    """A hand-made score run of ``retain clv fit``: clv_minor per customer id, as of ``day``."""
    from retain.store.schema import ClvFit, CustomerScore

    with store.session() as s:
        fit = ClvFit(
            model="bgnbd",
            model_version="test",
            as_of=day,
            horizon_months=horizon_months,
            discount_rate=0.1,
            currency="EUR",
            params={},
            model_json="{}",
            spend_json=None,
            log_likelihood=0.0,
            customers=len(rows),
            repeat_buyers=len(rows),
            trust_level="high",
            trust_message="",
            fitted_at=NOW,
        )
        s.add(fit)
        s.flush()
        for cid, clv in rows.items():
            s.add(
                CustomerScore(
                    fit_id=fit.id,
                    customer_id=cid,
                    model="bgnbd",
                    model_version="test",
                    as_of=day,
                    p_alive=0.9,
                    expected_purchases=2.0,
                    horizon_months=horizon_months,
                    expected_spend_minor=clv // 2,
                    clv_minor=clv,
                    currency="EUR",
                    fitted_at=NOW,
                )
            )


@pytest.fixture
def pair(seed):
    """SCORED and UNSCORED: loyal (3 purchases 100 days apart), 130 days silent, 15,000 spent."""
    ids = {}
    for ext in ("SCORED", "UNSCORED"):
        ids[ext] = seed.customer(ext)
        seed.orders(ids[ext], [330, 230, 130], 5_000)
    return ids


def test_auto_values_from_the_stored_scores_where_they_cover_a_customer(store, pair):
    from datetime import timedelta

    store_scores(store, NOW.date() - timedelta(days=3), {pair["SCORED"]: 30_000})
    got = customer_facts(store, NOW, cfg()).set_index("customer_id")
    # 30,000 over 6 months = 60,000 a year; the other keeps 15,000 / max(1, 330/365.25 years)
    assert got.loc[pair["SCORED"], ["value_minor", "value_source"]].tolist() == [
        60_000,
        "stored_clv",
    ]
    assert got.loc[pair["UNSCORED"], ["value_minor", "value_source"]].tolist() == [
        15_000,
        "revenue_per_year",
    ]
    two_years = customer_facts(store, NOW, cfg(value_horizon_years=2.0))
    assert two_years.set_index("customer_id").loc[pair["SCORED"], "value_minor"] == 120_000
    revenue = customer_facts(store, NOW, cfg(value_from="revenue")).set_index("customer_id")
    assert revenue.loc[pair["SCORED"], "value_minor"] == 15_000


def test_auto_ignores_scores_dated_after_the_plan(store, pair):
    from datetime import timedelta

    store_scores(store, NOW.date() + timedelta(days=1), {pair["SCORED"]: 30_000})
    got = customer_facts(store, NOW, cfg()).set_index("customer_id")
    assert set(got["value_source"]) == {"revenue_per_year"}
    assert got.loc[pair["SCORED"], "value_minor"] == 15_000


def test_plan_reason_names_the_stored_score(store, pair):
    from datetime import timedelta

    from retain.outreach import plan

    store_scores(store, NOW.date() - timedelta(days=3), {pair["SCORED"]: 30_000})
    actions = {a["customer_id"]: a for a in plan(store, as_of=NOW, cfg=cfg(), save=False)}
    reason = actions["SCORED"]["reason"]
    assert "Value 600/yr (stored CLV score)" in reason
    assert "(past revenue; no stored CLV)" in actions["UNSCORED"]["reason"]


def test_a_first_purchase_on_the_day_does_not_sink_the_models():
    """T = 0 (first purchase on as_of) is left out of the fit and valued as one day old."""
    s = summary()
    s.loc[0, ["frequency", "recency", "T", "monetary_value"]] = [0.0, 0.0, 0.0, 0.0]
    got = model_value(s)
    assert got.notna().all()
    # the fit is the one without that customer (he adds nothing to BG/NBD nor Gamma-Gamma)
    np.testing.assert_allclose(got.iloc[1:].to_numpy(), model_value(s.iloc[1:]).to_numpy())
