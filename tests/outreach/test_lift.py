"""Lift and its interval on hand-made outcomes; the campaign report from the store."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from retain.errors import MissingColumnsError
from retain.outreach import (
    SmtpTransport,
    campaign_report,
    create_campaign,
    lift_table,
    member_outcomes,
    newcombe,
    send_campaign,
    verdict,
)
from retain.store import outreach as db

from .kit import NOW, SECRET, cfg


@pytest.mark.parametrize(
    ("k1", "n1", "k2", "n2", "lower", "upper"),
    [
        # Newcombe (1998), Statistics in Medicine 17:873-890, Table II, method 10
        (56, 70, 48, 80, 0.0524, 0.3339),
        (9, 10, 3, 10, 0.1705, 0.8090),
        (6, 7, 2, 7, 0.0582, 0.8062),
        (5, 56, 0, 29, -0.0381, 0.1926),
        (0, 10, 0, 20, -0.1611, 0.2775),
    ],
)
def test_newcombe_reproduces_the_published_intervals(k1, n1, k2, n2, lower, upper):
    lift = newcombe(k1, n1, k2, n2)
    assert lift.lift == pytest.approx(k1 / n1 - k2 / n2)
    assert lift.lower == pytest.approx(lower, abs=5e-5)
    assert lift.upper == pytest.approx(upper, abs=5e-5)


@given(
    st.integers(0, 60).flatmap(lambda n1: st.tuples(st.integers(0, n1), st.just(n1))),
    st.integers(0, 60).flatmap(lambda n2: st.tuples(st.integers(0, n2), st.just(n2))),
)
def test_interval_contains_the_difference_and_stays_in_bounds(a, b):
    (k1, n1), (k2, n2) = a, b
    lift = newcombe(k1, n1, k2, n2)
    if n1 == 0 or n2 == 0:
        assert lift.lift is None
        return
    assert -1 <= lift.lower <= lift.lift <= lift.upper <= 1


def test_verdicts_say_plainly_what_the_interval_says():
    assert verdict("repurchase", newcombe(56, 70, 48, 80)) == (
        "repurchase: the campaign raised it by +20.0 points (95% interval +5.2 to +33.4)"
    )
    assert verdict("response", newcombe(5, 56, 0, 29)).endswith(
        "lift +8.9 points (95% interval -3.8 to +19.3) is not distinguishable from zero"
    )
    assert "lowered it by -60.0 points" in verdict("x", newcombe(3, 10, 9, 10))
    assert verdict("x", newcombe(1, 2, 0, 0)) == "x: no lift can be measured (a group is empty)"


def test_lift_table_on_a_hand_made_outcome_table():
    # treated: 8 bought of 10; control: 2 of 10. "returned" applies to 4 + 2 members only
    outcomes = pd.DataFrame(
        {
            "arm": ["treated"] * 10 + ["control"] * 10,
            "repurchase": [True] * 8 + [False] * 2 + [True] * 2 + [False] * 8,
            "returned": pd.array(
                [True, True, False, False] + [None] * 6 + [True, False] + [None] * 8,
                dtype="boolean",
            ),
        }
    )
    table = lift_table(outcomes, ("repurchase", "returned")).set_index("outcome")
    rep = table.loc["repurchase"]
    assert (rep["treated"], rep["treated_n"], rep["control"], rep["control_n"]) == (8, 10, 2, 10)
    assert rep["lift"] == pytest.approx(0.6)
    # 8/10 - 2/10 worked by hand with Wilson intervals (z = 1.96):
    # Wilson(8, 10) = (0.4902, 0.9433), Wilson(2, 10) = (0.0567, 0.5098)
    # lower = 0.6 - sqrt(0.3098^2 + 0.3098^2) = 0.1619; upper = 0.6 + sqrt(2 * 0.1433^2) = 0.8027
    assert rep["lower"] == pytest.approx(0.1619, abs=1e-4)
    assert rep["upper"] == pytest.approx(0.8027, abs=1e-4)
    assert rep["verdict"].startswith("repurchase: the campaign raised it by +60.0 points")
    ret = table.loc["returned"]
    assert (ret["treated"], ret["treated_n"], ret["control"], ret["control_n"]) == (2, 4, 1, 2)
    assert "not distinguishable from zero" in ret["verdict"]
    with pytest.raises(MissingColumnsError, match="response"):
        lift_table(outcomes, ("response",))


def test_member_outcomes_by_hand():
    start, end = NOW, NOW + timedelta(days=30)
    members = pd.DataFrame(
        {
            "customer_id": [1, 2, 3, 4],
            "arm": ["treated", "treated", "control", "control"],
            "stage": ["lapsed", "active", "inactive", "lapsed"],
        }
    )
    orders = pd.DataFrame(
        {
            "customer_id": [1, 2, 3],
            # 1 buys in the window, 2 before it, 3 just after it
            "ordered_at": [NOW + timedelta(days=3), NOW - timedelta(days=1), end + timedelta(1)],
        }
    )
    responses = pd.DataFrame({"customer_id": [4], "at": [NOW + timedelta(days=29)]})
    stages = pd.DataFrame({"customer_id": [1, 2, 3, 4], "stage": ["active", "lapsed", "new", "x"]})
    out = member_outcomes(members, orders, responses, stages, start=start, end=end)
    assert out["repurchase"].tolist() == [True, False, False, False]
    assert out["response"].tolist() == [False, False, False, True]
    # returned: only for members lapsed/inactive when drawn
    assert out["returned"].tolist() == [True, pd.NA, True, False]


def test_campaign_report_from_the_store(store, seed, smtp):
    _inbox, port = smtp
    settings = cfg(smtp_port=port)
    for k in range(1, 11):
        cid = seed.customer(f"P{k:02d}")
        seed.orders(cid, [400, 300, 200])
    create_campaign(
        store,
        name="p",
        subject="Hi",
        body="Hi",
        audience={"stage": "lapsed"},
        now=NOW,
        cfg=settings,
        control_share=0.3,
        seed=5,
    )
    with SmtpTransport(settings) as transport:
        send_campaign(
            store,
            "p",
            now=NOW,
            cfg=settings,
            tz=ZoneInfo("UTC"),
            secret=SECRET,
            transport=transport,
        )
    members = db.members(store, 1)
    treated = members.loc[members["arm"] == "treated", "customer_id"].tolist()
    control = members.loc[members["arm"] == "control", "customer_id"].tolist()
    assert len(treated) == 7 and len(control) == 3
    for cid in treated[:5]:  # 5 of 7 treated come back within the window
        seed.order(cid, -10)
    seed.order(control[0], -10)  # 1 of 3 controls
    seed.contact(treated[0], -2, direction="inbound")
    report = campaign_report(store, "p", as_of=NOW + timedelta(days=40))
    assert report.complete and report.sends == {"sent": 7}
    rep = report.lifts.set_index("outcome").loc["repurchase"]
    assert (rep["treated"], rep["treated_n"], rep["control"], rep["control_n"]) == (5, 7, 1, 3)
    expected = newcombe(5, 7, 1, 3)
    assert rep["lower"] == pytest.approx(expected.lower)
    assert "not distinguishable from zero" in rep["verdict"]
    resp = report.lifts.set_index("outcome").loc["response"]
    assert (resp["treated"], resp["control"]) == (1, 0)
    lines = report.lines()
    assert lines[0] == "campaign p: outcomes from 2026-03-11 to 2026-04-10"
    early = campaign_report(store, "p", as_of=NOW + timedelta(days=5))
    assert not early.complete and "window not over yet" in early.lines()[0]
