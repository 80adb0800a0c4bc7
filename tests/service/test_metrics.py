"""Case metrics and the retention effect on small hand-worked tables."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from retain.errors import MissingColumnsError
from retain.service.metrics import backlog, reopen_rate, response_times, sla_attainment
from retain.service.retention import retention_effect
from retain.service.stats import wilson

T0 = pd.Timestamp("2025-03-03 09:00", tz="UTC")
H = pd.Timedelta(hours=1)
D = pd.Timedelta(days=1)


def test_wilson_matches_published_intervals():
    # 7/10: 0.3968-0.8922; 1/2: 0.0945-0.9055; 2/3: 0.2077-0.9385 (Wilson 1927; e.g. Newcombe 1998)
    for (k, n), (lo, hi) in {
        (7, 10): (0.3968, 0.8922),
        (1, 2): (0.0945, 0.9055),
        (2, 3): (0.2077, 0.9385),
    }.items():
        r = wilson(k, n)
        assert (r.lower, r.upper) == (pytest.approx(lo, abs=1e-4), pytest.approx(hi, abs=1e-4))
    assert wilson(0, 0).rate is None
    assert wilson(0, 5).lower == 0.0


@given(n=st.integers(1, 500), data=st.data())
def test_wilson_interval_holds_the_rate(n, data):
    k = data.draw(st.integers(0, n))
    r = wilson(k, n)
    assert 0 <= r.lower <= r.rate <= r.upper <= 1


@pytest.fixture
def cases() -> pd.DataFrame:
    none = pd.NaT
    return pd.DataFrame(
        [
            # id, owner, status, opened, first resp, resolved, first due, resolution due, reopens
            (1, "andy", "resolved", T0, T0 + H, T0 + 5 * H, T0 + 4 * H, T0 + 24 * H, 0),
            (2, "andy", "closed", T0, T0 + 6 * H, T0 + 30 * H, T0 + 4 * H, T0 + 24 * H, 1),
            (3, "bea", "open", T0 + 9 * D, none, none, T0 + 9 * D + 4 * H, T0 + 11 * D, 0),
            (
                4,
                None,
                "pending",
                T0 + 2 * D,
                T0 + 2 * D + 2 * H,
                none,
                T0 + 2 * D + 4 * H,
                T0 + 12 * D,
                0,
            ),
        ],
        columns=[
            "id",
            "owner",
            "status",
            "opened_at",
            "first_responded_at",
            "resolved_at",
            "first_response_due_at",
            "resolution_due_at",
            "reopen_count",
        ],
    )


def test_backlog_by_owner_and_age(cases):
    out = backlog(cases, T0 + 10 * D)
    assert out.to_dict("records") == [
        {
            "owner": "(unassigned)",
            "open": 0,
            "pending": 1,
            "total": 1,
            "0-1d": 0,
            "1-3d": 0,
            "3-7d": 0,
            ">7d": 1,
            "oldest_days": 8.0,
        },
        {
            "owner": "bea",
            "open": 1,
            "pending": 0,
            "total": 1,
            "0-1d": 0,
            "1-3d": 1,
            "3-7d": 0,
            ">7d": 0,
            "oldest_days": 1.0,
        },
    ]


def test_response_times_median_and_p90(cases):
    out = response_times(cases).set_index("measure")
    # first responses 1, 6, 2 h: median 2, p90 at rank 1.8 of [1, 2, 6] = 2 + 0.8 * 4
    assert out.loc["first_response"].to_dict() == {
        "n": 3,
        "median_hours": 2.0,
        "p90_hours": pytest.approx(5.2),
    }
    # resolutions 5 and 30 h: median 17.5, p90 = 5 + 0.9 * 25
    assert out.loc["resolution"].to_dict() == {
        "n": 2,
        "median_hours": 17.5,
        "p90_hours": pytest.approx(27.5),
    }


def test_sla_attainment(cases):
    out = sla_attainment(cases, T0 + 10 * D).set_index("target")
    # first response: 1 and 4 met; 2 late; 3 not answered after its due time
    assert out.loc["first_response", ["met", "breached", "not_due"]].tolist() == [2, 2, 0]
    assert out.loc["first_response", "attainment"] == 0.5
    # resolution: 1 met, 2 late, 3 and 4 not yet due
    assert out.loc["resolution", ["met", "breached", "not_due"]].tolist() == [1, 1, 2]
    assert out.loc["resolution", "lower"] == pytest.approx(0.0945, abs=1e-4)


def test_reopen_rate(cases):
    assert reopen_rate(cases)["reopened"] == 1
    assert reopen_rate(cases)["resolved"] == 2
    assert reopen_rate(cases)["rate"] == 0.5


def test_metrics_name_missing_columns(cases):
    with pytest.raises(MissingColumnsError, match="'reopen_count'"):
        backlog(cases.drop(columns="reopen_count"), T0)


def test_retention_effect_hand_worked():
    day = lambda s: pd.Timestamp(s, tz="UTC")  # noqa: E731
    cases = pd.DataFrame(
        [
            (1, day("2025-03-01"), day("2025-03-02")),  # resolved, buys again 15 Mar
            (2, day("2025-03-01"), day("2025-03-03")),  # resolved, never buys again
            (3, day("2025-03-10"), pd.NaT),  # unresolved, buys again 20 Mar
            (4, day("2025-03-10"), day("2025-05-01")),  # resolved too late; buys outside window
            (5, day("2025-03-01"), pd.NaT),  # never bought before: not counted
            (6, day("2025-06-15"), pd.NaT),  # window not over by as_of: not counted
        ],
        columns=["customer_id", "opened_at", "resolved_at"],
    )
    orders = pd.DataFrame(
        [
            (1, "2025-01-01"),
            (1, "2025-03-15"),
            (2, "2025-01-05"),
            (3, "2025-01-10"),
            (3, "2025-03-20"),
            (4, "2025-01-10"),
            (4, "2025-05-05"),
            (5, "2025-03-05"),
            (6, "2025-01-01"),
            # no complaint; start = median of 1, 1, 10, 10 March = 5 March 12:00
            (7, "2025-01-01"),
            (7, "2025-03-20"),  # back
            (8, "2025-01-01"),
            (8, "2025-04-10"),  # after 4 April 12:00: not back
            (9, "2025-01-01"),
            (9, "2025-03-06"),  # back
            (10, "2025-03-06"),  # first bought after the start: not counted
        ],
        columns=["customer_id", "ordered_at"],
    )
    orders["ordered_at"] = pd.to_datetime(orders["ordered_at"], utc=True)
    out = retention_effect(
        cases, orders, list(range(1, 12)), as_of=day("2025-06-30"), window_days=30
    ).set_index("group")
    assert out[["customers", "came_back"]].to_dict("index") == {
        "resolved": {"customers": 2, "came_back": 1},
        "unresolved": {"customers": 2, "came_back": 1},
        "no_complaint": {"customers": 3, "came_back": 2},
    }
    assert out.loc["no_complaint", "start"] == pd.Timestamp("2025-03-05 12:00", tz="UTC")
    assert out.loc["resolved", "rate"] == 0.5
    assert out.loc["no_complaint", "lower"] == pytest.approx(0.2077, abs=1e-4)
    assert out.loc["no_complaint", "upper"] == pytest.approx(0.9385, abs=1e-4)
