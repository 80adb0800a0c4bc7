"""The plan from the store: facts, rules, ranking, one action per cycle, assign/done/snooze."""

from __future__ import annotations

from datetime import timedelta

import pytest

from retain.errors import InvalidInputError, NotFoundError
from retain.outreach import assign, customer_facts, cycle_of, done, plan, snooze
from retain.store import open_store
from retain.store import outreach as db

from .kit import NOW, cfg


@pytest.fixture
def shop(seed):
    """Hand-made customers, one per rule, and a rep who owns two of them."""
    rep = seed.user("rita")
    ids = {}
    # loyal, 4 purchases every 30 days, last 45 days ago: past his 30-day gap
    ids["LOYAL"] = seed.customer("LOYAL", owner_id=rep)
    seed.orders(ids["LOYAL"], [135, 105, 75, 45], amount_minor=50_000)
    # new: one purchase 10 days ago
    ids["NEW"] = seed.customer("NEW")
    seed.order(ids["NEW"], 10, amount_minor=8_000)
    # detractor: bought twice recently, scored 3 a week ago
    ids["DETRACTOR"] = seed.customer("DETRACTOR", owner_id=rep)
    seed.orders(ids["DETRACTOR"], [60, 20], amount_minor=20_000)
    seed.feedback(ids["DETRACTOR"], 7, 3)
    # an open case whose first response is due in 3 hours
    ids["CASE"] = seed.customer("CASE")
    seed.orders(ids["CASE"], [40, 15])
    seed.case(ids["CASE"], due_in_hours=3)
    # inactive win-back: bought twice long ago
    ids["GONE"] = seed.customer("GONE")
    seed.orders(ids["GONE"], [900, 870], amount_minor=30_000)
    # happy active customer with nothing to do
    ids["FINE"] = seed.customer("FINE")
    seed.orders(ids["FINE"], [50, 25])
    return ids


def test_facts_worked_by_hand(store, shop):
    f = customer_facts(store, NOW, cfg()).set_index("customer_id")
    loyal = f.loc[shop["LOYAL"]]
    assert loyal["purchases"] == 4 and loyal["days_since_last_order"] == 45
    # 2000.00 over 135 days: at least one year of relationship -> 2000.00 a year
    assert loyal["value_minor"] == 200_000
    gone = f.loc[shop["GONE"]]
    # 600.00 over 900 days = 2.464 years -> 243.50 a year
    assert gone["value_minor"] == round(60_000 / (900 / 365.25))
    assert f.loc[shop["DETRACTOR"], "nps_score"] == 3
    assert f.loc[shop["DETRACTOR"], "nps_days_ago"] == 7
    assert f.loc[shop["CASE"], "case_due_kind"] == "first response"
    assert f.loc[shop["CASE"], "case_due_hours"] == pytest.approx(3)
    assert f.loc[shop["NEW"], "days_since_first_order"] == 10


def test_plan_picks_and_ranks(store, shop):
    rows = plan(store, as_of=NOW, cfg=cfg(), save=False)
    rules = {r["customer_id"]: r["rule"] for r in rows}
    assert rules == {
        "LOYAL": "loyal_lapsing",
        "NEW": "new_follow_up",
        "DETRACTOR": "detractor",
        "CASE": "case_sla",
        "GONE": "win_back",
    }
    scores = {r["customer_id"]: r["score"] for r in rows}
    # LOYAL: 2000 x 0.30 / 10 min = 60; NEW: 80 x 0.20 / 2 = 8;
    # DETRACTOR: 400 x 0.25 / 10 = 10; CASE: 200 x 0.40 / 10 = 8; GONE: 243.5 x 0.05 / 2 = 6.09
    assert scores == {
        "LOYAL": 60.0,
        "NEW": 8.0,
        "DETRACTOR": 10.0,
        "CASE": 8.0,
        "GONE": pytest.approx(6.09, abs=0.01),
    }
    # ties (NEW and CASE at 8) keep the rules order: case_sla first
    assert [r["customer_id"] for r in rows] == ["LOYAL", "DETRACTOR", "CASE", "NEW", "GONE"]
    assert all(r["reason"] for r in rows)


def test_owner_and_limit(store, shop):
    rows = plan(store, as_of=NOW, cfg=cfg(), save=False, owner="rita")
    assert [r["customer_id"] for r in rows] == ["LOYAL", "DETRACTOR"]
    assert len(plan(store, as_of=NOW, cfg=cfg(), save=False, limit=2)) == 2


def test_one_action_per_customer_per_cycle(store, shop, seed):
    first = plan(store, as_of=NOW, cfg=cfg())
    assert len(first) == 5 and all(r["id"] for r in first)
    # the same week again: nothing doubles, even when a new fact adds a rule
    seed.feedback(shop["LOYAL"], 1, 2)
    again = plan(store, as_of=NOW + timedelta(days=1), cfg=cfg())
    assert sorted(r["id"] for r in again) == sorted(r["id"] for r in first)
    assert {r["customer_id"]: r["rule"] for r in again}["LOYAL"] == "loyal_lapsing"
    assert {a["cycle"] for a in db.actions(store)} == {cycle_of(NOW)} == {"2026-W11"}


def test_assign_done_snooze(store, shop):
    rows = {r["customer_id"]: r for r in plan(store, as_of=NOW, cfg=cfg())}
    a = assign(store, rows["NEW"]["id"], to="rita", now=NOW)
    assert a["assignee"] == "rita" and a["status"] == "assigned"
    assert [r["customer_id"] for r in plan(store, as_of=NOW, cfg=cfg(), owner="rita")] == [
        "LOYAL",
        "DETRACTOR",
        "NEW",
    ]
    with pytest.raises(NotFoundError, match="no user"):
        assign(store, rows["NEW"]["id"], to="nobody", now=NOW)
    with pytest.raises(NotFoundError, match="no action"):
        assign(store, 999, to="rita", now=NOW)

    d = done(store, rows["LOYAL"]["id"], outcome="ordered again", by="rita", now=NOW)
    assert d["status"] == "done" and d["outcome"] == "ordered again"
    timeline = db.contacts_since(store, NOW - timedelta(minutes=1), [shop["LOYAL"]])
    assert timeline[["channel", "kind"]].values.tolist() == [["phone", "outreach:loyal_lapsing"]]
    with pytest.raises(InvalidInputError, match="done already"):
        done(store, rows["LOYAL"]["id"], outcome="again", by="rita", now=NOW)
    with pytest.raises(InvalidInputError, match="outcome"):
        done(store, rows["NEW"]["id"], outcome=" ", by="rita", now=NOW)

    s = snooze(store, rows["GONE"]["id"], until=NOW + timedelta(days=30), now=NOW)
    assert s["status"] == "snoozed"
    with pytest.raises(InvalidInputError, match="later"):
        snooze(store, rows["CASE"]["id"], until=NOW, now=NOW)

    listed = {r["customer_id"] for r in plan(store, as_of=NOW, cfg=cfg())}
    assert listed == {"NEW", "DETRACTOR", "CASE"}
    # next week: the done one is in its cool-down, the snoozed one still asleep
    next_week = {r["customer_id"] for r in plan(store, as_of=NOW + timedelta(days=7), cfg=cfg())}
    assert "LOYAL" not in next_week and "GONE" not in next_week
    # after the snooze and the cool-down both are back
    later = {r["customer_id"] for r in plan(store, as_of=NOW + timedelta(days=31), cfg=cfg())}
    assert "GONE" in later


def test_plan_needs_an_aware_time(store, shop):
    with pytest.raises(InvalidInputError, match="time zone"):
        plan(store, as_of=NOW.replace(tzinfo=None), cfg=cfg())


def test_saved_actions_are_seen_by_a_fresh_connection(store, shop, db_url):
    """Writes after the analytics' ADBC read land in the database (not in a lost WAL)."""
    rows = plan(store, as_of=NOW, cfg=cfg())
    done(store, rows[0]["id"], outcome="called", by="rita", now=NOW)
    other = open_store(db_url, upgrade=False)
    try:
        saved = db.actions(other, cycle=cycle_of(NOW))
        assert len(saved) == len(rows) == 5
        assert [a["status"] for a in saved if a["id"] == rows[0]["id"]] == ["done"]
    finally:
        other.dispose()
