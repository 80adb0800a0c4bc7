"""Stages against the demo business's ground truth (who the generator kept alive)."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest

from retain.analytics import customer_stages

generator = pytest.importorskip("retain.demo.generator")

END = date(2026, 11, 26)
OFF_SEASON = date(2026, 7, 31)


@pytest.fixture(scope="module")
def business():
    b = generator.generate_business(4000, end=END, seed=11)
    o = b.orders.assign(
        amount=b.orders.amount.astype(float), refunded=b.orders.refunded_amount.astype(float)
    ).drop(columns=["refunded_amount"])
    c = b.customers[["customer_id", "email_consent", "do_not_contact", "created_at"]].rename(
        columns={"created_at": "first_seen_at"}
    )
    return b, o, c


def _judge(business, as_of: date):
    b, o, c = business
    s = customer_stages(o, as_of, c)
    bought = o[o.status.isin(["paid", "partially_refunded"])].customer_id.unique()
    s["really_bought"] = s.customer_id.isin(bought)
    return s.merge(b.truth, on="customer_id", suffixes=("", "_truth"))


@pytest.fixture(scope="module")
def judged(business):
    return _judge(business, END - timedelta(days=1))


@pytest.fixture(scope="module")
def in_summer(business):
    """As of 31 July: the off-season of the demo's winter-only category."""
    return _judge(business, OFF_SEASON)


def test_alive_customers_are_mostly_not_inactive(judged) -> None:
    buyers = judged[judged.stage != "prospect"]
    alive = buyers[buyers.alive_at_end]
    assert (alive.stage != "inactive").mean() > 0.9


def test_dead_customers_are_mostly_inactive(judged) -> None:
    buyers = judged[judged.stage != "prospect"]
    dead = buyers[~buyers.alive_at_end]
    assert (dead.stage == "inactive").mean() > 0.5
    assert dead.stage.isin(["lapsed", "inactive"]).mean() > 0.75
    accuracy = ((buyers.stage == "inactive") == ~buyers.alive_at_end).mean()
    assert accuracy > 0.7


def test_prospects_are_the_generators_prospects(judged) -> None:
    prospects = judged[judged.stage == "prospect"]
    # the generator's prospects, and buyers whose every order was refunded or cancelled
    assert (prospects.is_prospect | ~prospects.really_bought).all()
    assert judged[judged.is_prospect].stage.eq("prospect").all()


def test_winter_buyers_are_not_lapsed_in_summer(in_summer) -> None:
    planted = in_summer[in_summer.seasonal_truth & (in_summer.stage != "prospect")]
    alive = planted[planted.alive_at_end]
    assert len(alive) > 150
    # their category's learned gap (about a year) or the seasonal rule keeps them
    assert (
        ~alive.stage.isin(["lapsed", "inactive"]) | (alive.substage == "seasonal")
    ).mean() > 0.95


def test_winter_buyers_with_enough_history_are_found_seasonal(in_summer) -> None:
    planted = in_summer[in_summer.seasonal_truth & (in_summer.stage != "prospect")]
    span = pd.to_datetime(planted.last_order_date) - pd.to_datetime(planted.first_order_date)
    # the rule needs 3 purchase days over 300 days: two winters at least. In a
    # three-year demo most winter buyers have one or two purchases and cannot qualify
    enough = planted[(planted.purchases >= 3) & (span.dt.days >= 300)]
    assert len(enough) > 25
    assert enough.seasonal.mean() > 0.8
    assert not planted[planted.purchases < 3].seasonal.any()
    others = in_summer[~in_summer.seasonal_truth & (in_summer.stage != "prospect")]
    assert others.seasonal.mean() < 0.02  # few regular buyers look seasonal by chance
