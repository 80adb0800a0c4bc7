"""Silent customers: invited at least twice, never answered, buying less."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd

from retain.voice import (
    Scope,
    create_survey,
    invite,
    low_effort_answers,
    silent_customers,
    silent_report,
    submit_response,
)

from .conftest import SECRET, add_customers, add_orders

AS_OF = datetime(2026, 6, 30, tzinfo=UTC)


def _t(days_before: int) -> pd.Timestamp:
    return pd.Timestamp(AS_OF - timedelta(days=days_before))


def test_silent_customers_pure():
    invitations = pd.DataFrame(
        {
            "customer_id": [1, 1, 2, 2, 3, 3, 4, 5, 5],
            "invited_at": [_t(d) for d in (300, 30, 300, 30, 300, 30, 30, 300, 10)],
            "answered_at": [None, None, None, None, _t(29), None, None, None, None],
        }
    )
    answers = pd.DataFrame({"customer_id": [3, 5]})  # 5 left a review: he has spoken
    orders = pd.DataFrame(
        {
            "customer_id": [1, 1, 1, 2, 2, 4, 4, 5, 5],
            "ordered_at": [_t(d) for d in (300, 250, 100, 300, 100, 300, 250, 300, 250)],
            "amount_minor": [1000, 1000, 1000, 500, 500, 1000, 1000, 1000, 1000],
        }
    )
    out = silent_customers(invitations, answers, orders, as_of=AS_OF)
    # 1: 2 invitations, no answer, 1 order in the last 180 days against 2 before -> silent
    # 2: same orders before and after -> not buying less; 3 answered; 4 invited once; 5 spoke
    assert list(out["customer_id"]) == [1]
    row = out.iloc[0]
    assert (row["invitations"], row["orders_recent"], row["orders_before"]) == (2, 1, 2)
    assert (row["spend_recent_minor"], row["spend_before_minor"]) == (1000, 2000)
    assert "invited 2 times, never answered" in row["reason"]
    # invitations after as_of do not count
    early = silent_customers(invitations, answers, orders, as_of=AS_OF - timedelta(days=60))
    assert early.empty


def test_silent_report_from_the_store(store):
    ids = add_customers(store, 3)
    first = create_survey(store, "NPS 2025", now=AS_OF - timedelta(days=365))
    second = create_survey(store, "NPS 2026", now=AS_OF - timedelta(days=20))
    invite(store, first, now=AS_OF - timedelta(days=365), secret=SECRET)
    invs = invite(store, second, now=AS_OF - timedelta(days=20), secret=SECRET)
    answered = next(i for i in invs if i.customer_id == ids[2])
    submit_response(
        store, answered.token, score=8, comment="ok", secret=SECRET, now=AS_OF - timedelta(days=19)
    )
    add_orders(
        store,
        [
            (ids[0], AS_OF - timedelta(days=300), 5000, "shoes"),
            (ids[0], AS_OF - timedelta(days=250), 5000, "shoes"),
            (ids[1], AS_OF - timedelta(days=300), 5000, "shoes"),
            (ids[1], AS_OF - timedelta(days=20), 5000, "shoes"),
            (ids[2], AS_OF - timedelta(days=300), 5000, "shoes"),
        ],
    )
    out = silent_report(store, as_of=AS_OF)
    assert list(out["customer_id"]) == [ids[0]]
    assert out.loc[0, "email"] == "c1@example.com"
    low = low_effort_answers(store, Scope(kind="all"))
    assert list(low["customer_id"]) == [ids[2]] and list(low["comment"]) == ["ok"]
