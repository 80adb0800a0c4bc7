"""Stages against the demo business's ground truth (who the generator kept alive)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from retain.analytics import customer_stages

generator = pytest.importorskip("retain.demo.generator")

END = date(2026, 11, 26)


@pytest.fixture(scope="module")
def judged():
    b = generator.generate_business(4000, end=END, seed=11)
    o = b.orders.assign(
        amount=b.orders.amount.astype(float), refunded=b.orders.refunded_amount.astype(float)
    ).drop(columns=["refunded_amount"])
    c = b.customers[["customer_id", "email_consent", "do_not_contact", "created_at"]].rename(
        columns={"created_at": "first_seen_at"}
    )
    s = customer_stages(o, END - timedelta(days=1), c)
    bought = o[o.status.isin(["paid", "partially_refunded"])].customer_id.unique()
    s["really_bought"] = s.customer_id.isin(bought)
    return s.merge(b.truth, on="customer_id", suffixes=("", "_truth"))


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
