"""Breach detection and escalation: once per breach, to the manager, with a notification hook."""

from __future__ import annotations

from datetime import timedelta

import casekit
import pytest
from casekit import T0

from retain.errors import ConfigError, RetainError
from retain.service import comment, get_case, open_case, reopen, resolve
from retain.service.escalation import check_sla

HOUR = timedelta(hours=1)


@pytest.fixture
def team(store, seed):
    boss = seed.user("boss", role="admin")
    mia = seed.user("mia", role="agent")
    andy = seed.user("andy", manager_id=mia)
    return {"boss": boss, "mia": mia, "andy": andy}


def _open(store, seed, policy, owner_id, at=T0):
    # one order, only buyer: priority normal (24x7: first response 4 h, resolution 24 h)
    cust = seed.customer(owner_id=owner_id, orders=[(5000, T0 - 40 * 24 * HOUR)])
    return open_case(
        store, customer_id=cust, subject="broken lid", now=at, policy=policy, loyal_orders=3
    )


def test_escalation_fires_once_per_breach(store, seed, policy, team):
    cid = _open(store, seed, policy, team["andy"])
    told = []
    assert check_sla(store, now=T0 + 3 * HOUR, notify=told.append, policy=policy) == []
    found = check_sla(store, now=T0 + 5 * HOUR, notify=told.append, policy=policy)
    assert [(e.case_id, e.target, e.escalated_to, e.owner) for e in found] == [
        (cid, "first_response", "mia", "andy")
    ]
    assert found[0].due_at == T0 + 4 * HOUR and found[0].late_hours == 1.0
    assert "missed its first response target" in found[0].message()
    # the same breach is not escalated again
    assert check_sla(store, now=T0 + 6 * HOUR, notify=told.append, policy=policy) == []
    assert check_sla(store, now=T0 + 7 * HOUR, notify=told.append, policy=policy) == []
    assert len(told) == 1
    events = get_case(store, cid)["events"]
    breaches = [e for e in events if e["kind"] == "sla_breach"]
    escalations = [e for e in events if e["kind"] == "escalated"]
    assert len(breaches) == 1 and len(escalations) == 1
    assert breaches[0]["field"] == "first_response"
    assert escalations[0]["new_value"] == "mia"
    # answering late does not undo the breach; the resolution target is a breach of its own
    comment(store, cid, body="sorry", actor="andy", now=T0 + 8 * HOUR, policy=policy)
    found = check_sla(store, now=T0 + 25 * HOUR, notify=told.append, policy=policy)
    assert [e.target for e in found] == ["resolution"]
    assert len(told) == 2


def test_reopened_case_can_breach_again(store, seed, policy, team):
    cid = _open(store, seed, policy, team["andy"])
    comment(store, cid, body="on it", actor="andy", now=T0 + HOUR, policy=policy)
    assert [e.target for e in check_sla(store, now=T0 + 25 * HOUR, policy=policy)] == ["resolution"]
    resolve(store, cid, code="fixed", actor="andy", now=T0 + 26 * HOUR, policy=policy)
    reopen(store, cid, actor="andy", now=T0 + 27 * HOUR, policy=policy)  # due T0+51h
    assert check_sla(store, now=T0 + 50 * HOUR, policy=policy) == []
    again = check_sla(store, now=T0 + 52 * HOUR, policy=policy)
    assert [(e.target, e.due_at) for e in again] == [("resolution", T0 + 51 * HOUR)]


def test_pending_case_does_not_breach(store, seed, policy, team):
    cid = _open(store, seed, policy, team["andy"])
    comment(
        store,
        cid,
        body="Photo please?",
        wait_for_customer=True,
        actor="andy",
        now=T0 + HOUR,
        policy=policy,
    )
    assert check_sla(store, now=T0 + 100 * HOUR, policy=policy) == []
    # the customer answers after 99 h: resolution now due T0+24h+99h
    case = comment(
        store, cid, body="here", inbound=True, actor="customer", now=T0 + 100 * HOUR, policy=policy
    )
    assert case["resolution_due_at"] == T0 + 123 * HOUR
    assert check_sla(store, now=T0 + 122 * HOUR, policy=policy) == []
    assert len(check_sla(store, now=T0 + 124 * HOUR, policy=policy)) == 1


def test_without_manager_goes_to_admin(store, seed, policy, team):
    _open(store, seed, policy, team["mia"])  # mia has no manager
    found = check_sla(store, now=T0 + 5 * HOUR, policy=policy)
    assert [e.escalated_to for e in found] == ["boss"]


def test_failing_hook_records_nothing_so_the_next_check_retries(store, seed, policy, team):
    cid = _open(store, seed, policy, team["andy"])

    def broken(_):
        raise OSError("mail server down")

    with pytest.raises(RetainError, match=r"hook broken failed on case .*mail server down"):
        check_sla(store, now=T0 + 5 * HOUR, notify=broken, policy=policy)
    assert not [e for e in get_case(store, cid)["events"] if e["kind"] == "sla_breach"]
    casekit.REMEMBERED.clear()
    found = check_sla(store, now=T0 + 5 * HOUR, notify_setting="casekit:remember", policy=policy)
    assert len(found) == 1 and found == casekit.REMEMBERED


def test_bad_hook_setting_says_how_to_write_it(store):
    with pytest.raises(ConfigError, match=r"package\.module:function"):
        check_sla(store, now=T0, notify_setting="nowhere:nothing")
