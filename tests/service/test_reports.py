"""Metrics read from the store on SQLite and PostgreSQL, on a small hand-worked business."""

from __future__ import annotations

from datetime import UTC, datetime

from retain.service import case_metrics, find_cases, open_case, resolve


def d(month, day, hour=9):
    return datetime(2025, month, day, hour, tzinfo=UTC)


def test_case_metrics_from_the_store(store, seed, policy):
    seed.user("andy")
    a = seed.customer("A", orders=[(1000, d(1, 1)), (1000, d(2, 20))])
    b = seed.customer("B", orders=[(1000, d(1, 1))])
    seed.customer("C", orders=[(1000, d(1, 1)), (1000, d(2, 10))])
    seed.customer("D", orders=[(1000, d(1, 1))])
    seed.customer("E", orders=[(1000, d(1, 1)), (1000, d(6, 1))])  # bought after as_of
    kw = {"policy": policy, "loyal_orders": 3}
    ca = open_case(store, customer_id=a, subject="late", now=d(2, 1), **kw)
    open_case(store, customer_id=b, subject="rude", now=d(2, 1), **kw)
    resolve(store, ca, code="apologised", actor="andy", now=d(2, 2), policy=policy)

    m = case_metrics(store, as_of=d(5, 1), window_days=30)
    retention = m.retention.set_index("group")[["customers", "came_back"]].to_dict("index")
    # no-complaint start: the median opening, 1 Feb; C bought 10 Feb, D and E did not
    # within 30 days (E's June order is after as_of)
    assert retention == {
        "resolved": {"customers": 1, "came_back": 1},
        "unresolved": {"customers": 1, "came_back": 0},
        "no_complaint": {"customers": 3, "came_back": 1},
    }
    assert m.backlog.to_dict("records")[0]["total"] == 1
    assert m.reopen == {
        "reopened": 0,
        "resolved": 1,
        "rate": 0.0,
        "lower": 0.0,
        "upper": m.reopen["upper"],
    }
    times = m.response_times.set_index("measure")
    assert times.loc["resolution", "median_hours"] == 24.0
    # both first responses (4 h targets, 24x7): A answered by resolving after 24 h, B never
    sla = m.sla.set_index("target")
    assert sla.loc["first_response", ["met", "breached"]].tolist() == [0, 2]

    # as of noon on 1 Feb nothing was resolved yet: both cases are backlog
    past = case_metrics(store, as_of=d(2, 1, 12), window_days=30)
    assert past.backlog["total"].sum() == 2
    assert past.response_times.set_index("measure").loc["resolution", "n"] == 0


def test_find_cases_flags_breaches(store, seed, policy):
    seed.user("andy")
    c1 = open_case(
        store,
        customer_id=seed.customer(),
        subject="one",
        now=d(3, 3),
        policy=policy,
        loyal_orders=3,
    )
    open_case(
        store,
        customer_id=seed.customer(),
        subject="two",
        now=d(3, 3, 12),
        policy=policy,
        loyal_orders=3,
    )
    # prospects are low priority: first response due after 8 h
    frame = find_cases(store, now=d(3, 3, 18))
    assert frame["subject"].tolist() == ["two", "one"]
    assert frame["breached"].tolist() == ["", "first_response"]
    only = find_cases(store, now=d(3, 3, 18), breached_only=True)
    assert only["id"].tolist() == [c1]
    assert find_cases(store, now=d(3, 3, 18), statuses=["resolved"]).empty


def test_metrics_of_an_empty_store(store):
    m = case_metrics(store, as_of=d(5, 1), window_days=30)
    rows = {r["metric"]: r for r in m.rows()}
    assert rows["backlog"]["value"] == 0
    assert rows["repurchase_30d_no_complaint"] == {
        "metric": "repurchase_30d_no_complaint",
        "value": None,
        "lower": None,
        "upper": None,
        "n": 0,
    }
