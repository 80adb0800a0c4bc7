"""Invariants of the workflow under random sequences of actions (hypothesis, SQLite)."""

from __future__ import annotations

import itertools
from datetime import timedelta

from casekit import T0, Seed
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from retain.errors import InvalidInputError
from retain.service import assign, comment, get_case, open_case, reopen, resolve, set_status

NUMBERS = itertools.count(1)
ACTIONS = st.lists(
    st.sampled_from(
        [
            "pending",
            "open",
            "resolved",
            "closed",
            "reopen",
            "message",
            "note",
            "inbound",
            "wait",
            "assign",
        ]
    ),
    max_size=12,
)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(actions=ACTIONS)
def test_random_action_sequences_keep_the_invariants(sqlite_store, policy, actions):
    store = sqlite_store
    seed = Seed(store)
    if not get_users(store):
        seed.user("andy")
        seed.user("bea")
    cid = open_case(
        store,
        customer_id=seed.customer(f"P{next(NUMBERS)}"),
        subject="x",
        now=T0,
        policy=policy,
        loyal_orders=3,
    )
    done, events = 0, 3
    for i, action in enumerate(actions, start=1):
        now = T0 + timedelta(hours=i)
        kw = {"actor": "t", "now": now}
        owner = get_case(store, cid)["owner"]
        try:
            if action in ("pending", "open", "closed"):
                set_status(store, cid, action, policy=policy, **kw)
            elif action == "resolved":
                resolve(store, cid, code="fixed", policy=policy, **kw)
            elif action == "reopen":
                reopen(store, cid, policy=policy, **kw)
            elif action == "assign":
                assign(store, cid, owner="bea" if owner == "andy" else "andy", **kw)
            else:
                comment(
                    store,
                    cid,
                    body="hi",
                    policy=policy,
                    internal=action == "note",
                    inbound=action == "inbound",
                    wait_for_customer=action == "wait",
                    **kw,
                )
            done, ok = done + 1, True
        except InvalidInputError:
            ok = False
        case = get_case(store, cid)
        assert case["version"] == 1 + done
        assert len(case["events"]) > events if ok else len(case["events"]) == events
        events = len(case["events"])
        assert (case["paused_since"] is not None) == (case["status"] == "pending")
        assert (case["resolved_at"] is not None) == (case["status"] in ("resolved", "closed"))
        assert (case["closed_at"] is not None) == (case["status"] == "closed")
        if case["resolved_at"] is not None:
            assert case["first_responded_at"] is not None
            assert case["first_responded_at"] <= case["resolved_at"]
        assert case["paused_seconds"] >= 0
        assert case["resolution_due_at"] >= case["opened_at"]


def get_users(store):
    from retain.store import cases as db

    with db.reading(store) as tx:
        return tx.agent_loads()
