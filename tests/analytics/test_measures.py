"""Cohorts, RFM, retention measures and the ring on hand-worked cases."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from retain.analytics import (
    SEGMENTS,
    cohort_matrix,
    cohort_table,
    flow_matrix,
    relationship_ring,
    repeat_purchase_rate,
    retention_intervals,
    rfm_scores,
    ring_counts,
    second_purchase_distribution,
    segment_counts,
    stage_flows,
    stage_history,
    time_to_second_purchase,
)

from .helpers import orders


@pytest.fixture
def shop() -> pd.DataFrame:
    """Four customers over January-April 2024 (purchase months in brackets):
    1 [Jan, Feb, Apr], 2 [Jan], 3 [Feb, Mar], 4 [Mar, Mar (same month twice)]."""
    return orders(
        [
            (1, date(2024, 1, 5), 10),
            (1, date(2024, 2, 5), 20),
            (1, date(2024, 4, 5), 40),
            (2, date(2024, 1, 20), 30),
            (3, date(2024, 2, 10), 5),
            (3, date(2024, 3, 10), 5),
            (4, date(2024, 3, 1), 8),
            (4, date(2024, 3, 31), 8),
        ]
    )


def test_cohorts_by_hand(shop) -> None:
    t = cohort_table(shop, date(2024, 4, 30))
    jan = t[t.cohort == "2024-01"].set_index("months_since")
    # January cohort {1, 2}: month 1 only customer 1, month 2 nobody, month 3 customer 1
    assert jan.customers.tolist() == [2, 1, 0, 1]
    assert jan.retained_pct.tolist() == [100.0, 50.0, 0.0, 50.0]
    assert jan.retained_or_later_pct.tolist() == [100.0, 50.0, 50.0, 50.0]
    assert jan.revenue.tolist() == [40.0, 20.0, 0.0, 40.0]
    assert jan.revenue_retained_pct.tolist() == [100.0, 50.0, 0.0, 100.0]
    feb = t[t.cohort == "2024-02"].set_index("months_since")
    assert feb.customers.tolist() == [1, 1, 0]
    mar = t[t.cohort == "2024-03"]
    assert mar.customers.tolist() == [1, 0]  # two March purchases: one customer in month 0
    m = cohort_matrix(t)
    assert (m[0] == 100.0).all()
    assert list(m.index) == ["2024-01", "2024-02", "2024-03"]


def test_interval_view_by_hand(shop) -> None:
    v = retention_intervals(shop, date(2024, 4, 30)).set_index("period")
    assert v.loc["2024-01", ["active", "new", "returning", "resurrecting", "dormant"]].tolist() == [
        2,
        2,
        0,
        0,
        0,
    ]
    # Feb: 1 returning, 3 new; 2 went dormant
    assert v.loc["2024-02", ["active", "new", "returning", "resurrecting", "dormant"]].tolist() == [
        2,
        1,
        1,
        0,
        1,
    ]
    # Mar: 3 returning, 4 new; 1 dormant
    assert v.loc["2024-03", ["new", "returning", "resurrecting", "dormant"]].tolist() == [
        1,
        1,
        0,
        1,
    ]
    # Apr: 1 resurrecting; 3 and 4 dormant
    assert v.loc["2024-04", ["active", "new", "returning", "resurrecting", "dormant"]].tolist() == [
        1,
        0,
        0,
        1,
        2,
    ]
    assert v.loc["2024-02", "returning_rate"] == 0.5
    assert v.loc["2024-04", "quick_ratio"] == 0.5
    assert pd.isna(v.loc["2024-01", "quick_ratio"])
    weeks = retention_intervals(shop, date(2024, 1, 10), "week")
    assert weeks.period.tolist() == ["2024-01-01", "2024-01-08"]
    assert weeks.new.tolist() == [1, 0]


def test_repeat_rate_and_second_purchase(shop) -> None:
    assert repeat_purchase_rate(shop, date(2024, 4, 30)) == 0.75
    assert repeat_purchase_rate(shop, date(2024, 1, 31)) == 0.0
    days = time_to_second_purchase(shop, date(2024, 4, 30))
    assert days.set_index("customer_id")["days"].to_dict() == {1: 31, 3: 29, 4: 30}
    dist = second_purchase_distribution(days).set_index("bucket")
    assert dist.loc["8-30", "customers"] == 2
    assert dist.loc["31-60", "customers"] == 1
    assert dist.cumulative_pct.iloc[-1] == 100.0


def test_rfm_scores_by_hand() -> None:
    # five customers, distinct recency/frequency/revenue: scores 1..5 each
    rows = []
    for c in range(1, 6):
        rows += [(c, date(2024, 1, d), 10 * c) for d in range(1, c + 1)]
        rows += [(c, date(2024, 2, c), 0.5)]
    s = rfm_scores(orders(rows), date(2024, 3, 1)).set_index("customer_id")
    assert s.r_score.tolist() == [1, 2, 3, 4, 5]
    assert s.f_score.tolist() == [1, 2, 3, 4, 5]
    assert s.m_score.tolist() == [1, 2, 3, 4, 5]
    assert s.rfm_score.tolist() == ["111", "222", "333", "444", "555"]
    assert s.segment.tolist() == [
        "Lost",
        "Hibernating",
        "Need attention",
        "Loyal",
        "Champions",
    ]
    assert s.loc[5, "recency_days"] == 25
    counts = segment_counts(s.reset_index())
    assert list(counts.segment) == list(SEGMENTS)
    assert counts.customers.sum() == 5


def test_rfm_ties_share_a_score() -> None:
    rows = [(c, date(2024, 1, 1), 10) for c in range(1, 9)] + [(9, date(2024, 1, 2), 10)]
    rows += [(9, date(2024, 1, 3), 10)]
    s = rfm_scores(orders(rows), date(2024, 1, 3)).set_index("customer_id")
    assert s.loc[1:8, "f_score"].eq(1).all()  # 8 single buyers share rank 0
    assert s.loc[9, "f_score"] == 5  # rank 8 of 9: 1 + floor(40 / 9)


def test_every_segment_is_reachable() -> None:
    from itertools import product

    import ibis

    from retain.analytics.rfm import segment

    grid = pd.DataFrame(list(product(range(1, 6), range(1, 6))), columns=["r", "f"])
    t = ibis.memtable(grid)
    names = t.mutate(s=segment(t.r, t.f)).to_pandas()
    assert set(names.s) == set(SEGMENTS)
    assert names.set_index(["r", "f"]).s[(1, 1)] == "Lost"
    assert names.set_index(["r", "f"]).s[(2, 5)] == "Can't lose them"


def test_ring_by_hand() -> None:
    o = orders([(1, date(2024, 1, 1), 5), (2, date(2024, 1, 1), 5), (3, date(2024, 1, 1), 5)])
    o = pd.concat([o, orders([(3, date(2024, 2, 1), 5), (3, date(2024, 3, 1), 5)])])
    customers = pd.DataFrame(
        {
            "customer_id": [1, 2, 3, 4, 5, 6],
            "email_consent": [None, None, None, True, None, None],
        }
    )
    interactions = pd.DataFrame(
        {
            "customer_id": [5, 6],
            "occurred_at": pd.to_datetime(["2024-01-01", "2024-01-01"], utc=True),
            "direction": ["inbound", "outbound"],
        }
    )
    feedback = pd.DataFrame(
        {
            "customer_id": [2, 1],
            "responded_at": pd.to_datetime(["2024-01-05", "2024-09-01"], utc=True),
            "nps_score": [9, 10],
            "source": ["survey", "survey"],
        }
    )
    r = relationship_ring(o, customers, date(2024, 3, 10), interactions, feedback)
    assert dict(zip(r.customer_id, r.ring, strict=True)) == {
        1: "customer",  # his 10 comes after as_of
        2: "community",  # promoter
        3: "community",  # loyal
        4: "audience",  # subscribed
        5: "audience",  # inbound touchpoint
        6: "visitor",
    }
    counts = ring_counts(r).set_index("ring").customers.to_dict()
    assert counts == {"visitor": 1, "audience": 2, "customer": 1, "community": 2}


def test_flows_and_history(shop) -> None:
    f = stage_flows(shop, date(2024, 1, 31), date(2024, 4, 30))
    m = flow_matrix(f)
    assert m.to_numpy().sum() == 4
    assert f.customers.sum() == 4
    assert m.loc["unknown"].sum() == 2  # customers 3 and 4 bought first after January
    h = stage_history(shop, date(2024, 1, 15), date(2024, 4, 30))
    ends = [date(2024, 1, 31), date(2024, 2, 29), date(2024, 3, 31), date(2024, 4, 30)]
    assert h.as_of.tolist() == ends
    assert h.drop(columns="as_of").sum(axis=1).tolist() == [2, 3, 4, 4]
