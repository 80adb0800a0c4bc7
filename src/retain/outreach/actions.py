"""Working the plan: assign an action, mark it done with its outcome, or snooze it.

Marking an action done records the contact as an interaction (channel of
the action, kind ``outreach:<rule>``, the outcome as note), so it shows on
the customer's timeline and counts for the frequency caps.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from retain.errors import InvalidInputError, NotFoundError
from retain.store import Store
from retain.store import outreach as db


def _one(store: Store, action_id: int) -> dict[str, Any]:
    rows = db.actions(store, ids=[action_id])
    if not rows:
        raise NotFoundError(f"no action {action_id}; `retain plan` lists the actions with their id")
    return rows[0]


def assign(store: Store, action_id: int, *, to: str, now: datetime) -> dict[str, Any]:
    """Give action ``action_id`` to user ``to`` (a username); returns the action."""
    uid = db.user_id(store, to)
    _one(store, action_id)
    db.update_action(
        store, action_id, {"assignee_id": uid, "status": "assigned", "updated_at": now}
    )
    return _one(store, action_id)


def done(
    store: Store, action_id: int, *, outcome: str, by: str | None, now: datetime
) -> dict[str, Any]:
    """Close action ``action_id`` with ``outcome`` and record the contact as an interaction."""
    if not outcome.strip():
        raise InvalidInputError("say what came of the contact (--outcome TEXT)")
    action = _one(store, action_id)
    if action["status"] == "done":
        raise InvalidInputError(f"action {action_id} is done already")
    db.record_contact(
        store,
        customer_id=action["customer_id"],
        channel=action["channel"],
        kind=f"outreach:{action['rule']}",
        note=outcome,
        by_whom=by,
        at=now,
        log=False,
    )
    db.update_action(
        store, action_id, {"status": "done", "outcome": outcome, "done_at": now, "updated_at": now}
    )
    return _one(store, action_id)


def snooze(store: Store, action_id: int, *, until: datetime, now: datetime) -> dict[str, Any]:
    """Put action ``action_id`` aside until ``until`` (left out of the plan till then)."""
    if until <= now:
        raise InvalidInputError(f"snooze until a later time than now ({now:%Y-%m-%d %H:%M})")
    _one(store, action_id)
    db.update_action(
        store, action_id, {"status": "snoozed", "snoozed_until": until, "updated_at": now}
    )
    return _one(store, action_id)
