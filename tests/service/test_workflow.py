"""The status workflow, messages vs notes, reassignment and the paused SLA clock."""

from __future__ import annotations

from datetime import timedelta

import pytest
from casekit import T0

from retain.errors import InvalidInputError, NotFoundError
from retain.service import (
    assign,
    close,
    comment,
    get_case,
    open_case,
    reopen,
    resolve,
    set_status,
)

HOUR = timedelta(hours=1)


@pytest.fixture
def case_id(store, seed, policy):
    seed.user("andy")
    seed.user("bea")
    cust = seed.customer("C-1", orders=[(5000, T0 - 30 * 24 * HOUR)])  # one order: normal
    return open_case(
        store, customer_id=cust, subject="late parcel", now=T0, policy=policy, loyal_orders=3
    )


def test_full_workflow(store, case_id, policy):
    kw = {"actor": "andy", "policy": policy}
    case = set_status(store, case_id, "pending", now=T0 + HOUR, **kw)
    assert case["status"] == "pending" and case["version"] == 2
    case = set_status(store, case_id, "open", now=T0 + 2 * HOUR, **kw)
    case = resolve(store, case_id, code="refunded", note="sent 10 EUR", now=T0 + 3 * HOUR, **kw)
    assert case["status"] == "resolved" and case["resolution_code"] == "refunded"
    assert case["resolved_at"] == T0 + 3 * HOUR
    assert case["first_responded_at"] == T0 + 3 * HOUR  # resolving answers the customer
    case = close(store, case_id, actor="andy", now=T0 + 4 * HOUR)
    assert case["status"] == "closed" and case["closed_at"] == T0 + 4 * HOUR
    statuses = [(e["old_value"], e["new_value"]) for e in case["events"] if e["field"] == "status"]
    assert statuses == [
        (None, "open"),
        ("open", "pending"),
        ("pending", "open"),
        ("open", "resolved"),
        ("resolved", "closed"),
    ]


@pytest.mark.parametrize(
    ("path", "bad", "message"),
    [
        (
            [],
            "closed",
            "cannot go from open to closed: from open it can go to pending, resolved "
            r"\(resolve it before closing\)",
        ),
        ([], "open", "case .* is already open"),
        (["resolved"], "pending", "cannot go from resolved to pending"),
        (["pending"], "closed", "cannot go from pending to closed"),
        (["resolved", "closed"], "open", "a closed case is final; open a new case"),
        ([], "archived", "unknown case status 'archived'"),
    ],
)
def test_illegal_transitions_are_refused(store, case_id, policy, path, bad, message):
    for i, status in enumerate(path):
        set_status(store, case_id, status, actor="andy", now=T0 + i * HOUR, policy=policy)
    before = get_case(store, case_id)
    with pytest.raises(InvalidInputError, match=message):
        set_status(store, case_id, bad, actor="andy", now=T0 + 9 * HOUR, policy=policy)
    after = get_case(store, case_id)
    assert after["version"] == before["version"] and len(after["events"]) == len(before["events"])


def test_messages_notes_and_first_response(store, case_id, policy):
    kw = {"actor": "andy", "policy": policy}
    comment(store, case_id, body="Looks like the courier", internal=True, now=T0 + HOUR, **kw)
    case = get_case(store, case_id)
    assert case["first_responded_at"] is None  # a note is not a response
    case = comment(store, case_id, body="Sorry, we are on it", now=T0 + 2 * HOUR, **kw)
    assert case["first_responded_at"] == T0 + 2 * HOUR
    comment(store, case_id, body="Any news?", inbound=True, now=T0 + 3 * HOUR, **kw)
    public = get_case(store, case_id, include_internal=False)["events"]
    bodies = [e["body"] for e in public if e["kind"] in ("message", "note")]
    assert bodies == ["Sorry, we are on it", "Any news?"]
    everything = get_case(store, case_id)["events"]
    notes = [e for e in everything if e["kind"] == "note"]
    assert len(notes) == 1 and notes[0]["internal"] is True
    with pytest.raises(InvalidInputError, match="empty"):
        comment(store, case_id, body=" ", now=T0, **kw)


def test_customer_message_reopens_resolved_case(store, case_id, policy):
    kw = {"actor": "andy", "policy": policy}
    resolve(store, case_id, code="explained", now=T0 + HOUR, **kw)
    case = comment(store, case_id, body="Still broken!", inbound=True, now=T0 + 5 * HOUR, **kw)
    assert case["status"] == "open" and case["reopen_count"] == 1
    assert case["resolved_at"] is None and case["resolution_code"] is None
    # a reopened case gets a new resolution target from the reopening (normal: 24 h)
    assert case["resolution_due_at"] == T0 + 29 * HOUR
    assert [e["kind"] for e in case["events"]][-2:] == ["reopened", "due"]
    resolve(store, case_id, code="replaced", now=T0 + 6 * HOUR, **kw)
    case = reopen(store, case_id, reason="wrong size", now=T0 + 7 * HOUR, **kw)
    assert case["reopen_count"] == 2


def test_reassignment_is_recorded(store, case_id):
    case = assign(store, case_id, owner="bea", actor="lead", reason="speaks Dutch", now=T0 + HOUR)
    assert case["owner"] == "bea"
    last = case["events"][-1]
    assert (last["kind"], last["old_value"], last["new_value"], last["actor"], last["body"]) == (
        "assigned",
        "andy",
        "bea",
        "lead",
        "speaks Dutch",
    )
    with pytest.raises(InvalidInputError, match="already owned by bea"):
        assign(store, case_id, owner="bea", actor="lead", now=T0 + HOUR)
    with pytest.raises(NotFoundError, match="no user 'zed'"):
        assign(store, case_id, owner="zed", actor="lead", now=T0 + HOUR)
    with pytest.raises(NotFoundError, match="case 999 does not exist"):
        assign(store, 999, owner="bea", actor="lead", now=T0 + HOUR)


def test_pending_stops_the_clock(store, case_id, policy):
    kw = {"actor": "andy", "policy": policy}
    # normal, 24x7: first response due T0+4h, resolution T0+24h
    case = comment(
        store, case_id, body="Which order number?", wait_for_customer=True, now=T0 + HOUR, **kw
    )
    assert case["status"] == "pending" and case["paused_since"] == T0 + HOUR
    case = comment(store, case_id, body="#1234", inbound=True, now=T0 + 11 * HOUR, **kw)
    assert case["status"] == "open" and case["paused_since"] is None
    assert case["paused_seconds"] == 10 * 3600
    assert case["resolution_due_at"] == T0 + 34 * HOUR  # moved on by the 10 h wait
    assert case["first_response_due_at"] == T0 + 4 * HOUR  # met before the wait: unchanged
    due = [e for e in case["events"] if e["kind"] == "due"]
    assert [(e["field"], e["new_value"]) for e in due] == [
        ("resolution_due_at", (T0 + 34 * HOUR).isoformat())
    ]


def test_pause_counts_business_hours_only(store, seed):
    from retain.service import SlaPolicy, Target
    from retain.service.calendar import Calendar

    office = Calendar.business("UTC", hours="09:00-17:00")
    policy = SlaPolicy({p: Target(4, 16) for p in ("low", "normal", "high", "urgent")}, office)
    seed.user("andy")
    cid = open_case(
        store, customer_id=seed.customer(), subject="x", now=T0, policy=policy, loyal_orders=3
    )  # Mon 09:00: resolution due Tue 17:00
    assert get_case(store, cid)["resolution_due_at"] == T0 + 32 * HOUR
    kw = {"actor": "andy", "policy": policy}
    set_status(store, cid, "pending", now=T0 + 7 * HOUR, **kw)  # Mon 16:00
    case = set_status(store, cid, "open", now=T0 + 25 * HOUR, **kw)  # Tue 10:00
    # waited Mon 16-17 and Tue 09-10: 2 business hours; due moves to Wed 11:00
    assert case["paused_seconds"] == 2 * 3600
    assert case["resolution_due_at"] == T0 + 50 * HOUR


def test_the_database_refuses_to_change_history(store, case_id):
    import sqlalchemy as sa

    for statement in ("UPDATE case_events SET body = 'edited'", "DELETE FROM case_events"):
        with pytest.raises(sa.exc.DBAPIError, match="append-only"), store.write() as conn:
            conn.exec_driver_sql(statement)
    assert len(get_case(store, case_id)["events"]) == 3


def test_priority_set_by_hand_recounts_due_times(store, case_id, policy):
    from retain.service import set_priority

    kw = {"actor": "andy", "policy": policy}
    # normal (24x7): first response 4 h, resolution 24 h; urgent 1 h / 4 h; low 8 h / 48 h
    comment(store, case_id, body="Photo?", wait_for_customer=True, now=T0 + HOUR, **kw)
    case = comment(store, case_id, body="here", inbound=True, now=T0 + 3 * HOUR, **kw)
    assert case["resolution_due_at"] == T0 + 26 * HOUR  # 2 h waiting
    case = set_priority(store, case_id, "urgent", reason="a journalist", now=T0 + 4 * HOUR, **kw)
    assert case["priority"] == "urgent"
    assert case["priority_reason"] == "urgent (set by andy): a journalist"
    assert case["resolution_due_at"] == T0 + 6 * HOUR  # 4 h target + the 2 h waited
    assert case["first_response_due_at"] == T0 + 4 * HOUR  # met at T0+1h: unchanged
    last = case["events"][-2:]
    assert [(e["kind"], e["old_value"], e["new_value"]) for e in last] == [
        ("priority", "normal", "urgent"),
        ("due", (T0 + 26 * HOUR).isoformat(), (T0 + 6 * HOUR).isoformat()),
    ]
    resolve(store, case_id, code="fixed", now=T0 + 5 * HOUR, **kw)
    case = reopen(store, case_id, now=T0 + 7 * HOUR, **kw)
    assert case["resolution_due_at"] == T0 + 11 * HOUR
    case = set_priority(store, case_id, "low", reason="asked to wait", now=T0 + 8 * HOUR, **kw)
    assert case["resolution_due_at"] == T0 + 55 * HOUR  # counted from the reopening
    with pytest.raises(InvalidInputError, match="already low"):
        set_priority(store, case_id, "low", reason="x", now=T0 + 9 * HOUR, **kw)
    with pytest.raises(InvalidInputError, match="unknown priority 'asap'"):
        set_priority(store, case_id, "asap", reason="x", now=T0 + 9 * HOUR, **kw)
    with pytest.raises(InvalidInputError, match="say why"):
        set_priority(store, case_id, "high", reason=" ", now=T0 + 9 * HOUR, **kw)
