"""Two people updating the same case: no update is lost (optimistic version check)."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from casekit import T0

from retain.errors import ConflictError
from retain.service import assign, check_sla, comment, get_case, open_case, set_status
from retain.store import cases as db

HOUR = timedelta(hours=1)


@pytest.fixture
def case_id(store, seed, policy):
    seed.user("andy")
    seed.user("bea")
    cust = seed.customer(orders=[(5000, T0 - 40 * 24 * HOUR)])
    return open_case(store, customer_id=cust, subject="x", now=T0, policy=policy, loyal_orders=3)


def test_stale_version_is_refused_and_writes_nothing(store, case_id, policy):
    seen_by_a = get_case(store, case_id)["version"]
    seen_by_b = get_case(store, case_id)["version"]
    assign(store, case_id, owner="bea", actor="a", now=T0 + HOUR, version=seen_by_a)
    with pytest.raises(ConflictError) as err:
        comment(
            store, case_id, body="hello", actor="b", now=T0 + HOUR, version=seen_by_b, policy=policy
        )
    assert str(err.value) == (
        f"case {case_id} was changed by someone else since you read it; reload and try again "
        "(you had version 1, it is now at version 2)"
    )
    assert err.value.status == 409
    case = get_case(store, case_id)
    assert case["version"] == 2 and case["first_responded_at"] is None
    assert [e["kind"] for e in case["events"]][-1] == "assigned"
    # after reloading, b's message goes through
    comment(
        store,
        case_id,
        body="hello",
        actor="b",
        now=T0 + HOUR,
        version=case["version"],
        policy=policy,
    )


def test_simultaneous_updates_one_wins_one_conflicts(store, case_id, policy):
    version = get_case(store, case_id)["version"]
    start = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def work(name, action):
        start.wait()
        try:
            action()
            outcomes[name] = "ok"
        except ConflictError:
            outcomes[name] = "conflict"

    actions = {
        "assign": lambda: assign(
            store, case_id, owner="bea", actor="a", now=T0 + HOUR, version=version
        ),
        "pending": lambda: set_status(
            store, case_id, "pending", actor="b", now=T0 + HOUR, version=version, policy=policy
        ),
    }
    threads = [threading.Thread(target=work, args=item) for item in actions.items()]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcomes.values()) == ["conflict", "ok"]
    case = get_case(store, case_id)
    assert case["version"] == version + 1
    won = next(name for name, result in outcomes.items() if result == "ok")
    if won == "assign":
        assert (case["owner"], case["status"]) == ("bea", "open")
    else:
        assert (case["owner"], case["status"]) == ("andy", "pending")


def _together(*actions):
    """Run the actions in threads released at the same moment; their results or errors."""
    start = threading.Barrier(len(actions))
    results: list = [None] * len(actions)

    def work(i, action):
        start.wait()
        try:
            results[i] = action()
        except Exception as exc:  # reported to the test
            results[i] = exc

    threads = [threading.Thread(target=work, args=(i, a)) for i, a in enumerate(actions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return results


def test_two_sla_checks_at_once_escalate_once(store, case_id, policy):
    def check():
        return check_sla(store, now=T0 + 5 * HOUR, policy=policy)

    results = _together(check, check)
    assert sorted(len(r) for r in results) == [0, 1]
    events = get_case(store, case_id)["events"]
    assert len([e for e in events if e["kind"] == "sla_breach"]) == 1


def test_same_feedback_opened_twice_at_once_gives_one_case(store, seed, policy):
    seed.user("andy")
    cust = seed.customer()
    fb = seed.feedback(cust)

    def opener():
        return open_case(
            store,
            customer_id=cust,
            subject="Score 1",
            source="detractor",
            feedback_id=fb,
            now=T0,
            policy=policy,
            loyal_orders=3,
        )

    results = _together(opener, opener, opener)
    assert all(isinstance(r, int) for r in results), results
    assert len(set(results)) == 1


def test_the_update_itself_checks_the_version(store, case_id):
    with db.transaction(store) as tx:
        assert tx.update_case(case_id, 1, {"subject": "first"}) == 2
    stale = pytest.raises(ConflictError, match="you had version 1, it is now at version 2")
    with stale, db.transaction(store) as tx:
        tx.update_case(case_id, 1, {"subject": "second"})
    assert get_case(store, case_id)["subject"] == "first"
