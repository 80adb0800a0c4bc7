"""Changing a case's priority by hand: recorded with a reason, due times recounted.

The rule in :mod:`retain.service.priority` sets the priority when a case
opens; a person may know better ("the customer is a journalist"). The new
priority's targets then apply from the same start: the opening for the first
response, the opening or the latest reopening for the resolution. Time spent
waiting on the customer still does not count, and targets already met keep
their due times.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from retain.errors import InvalidInputError
from retain.service.calendar import require_aware
from retain.service.cases import case_view, default_policy, iso, load_for_change
from retain.service.sla import SlaPolicy
from retain.store import Store
from retain.store import cases as db
from retain.store.schema import CASE_PRIORITIES


def set_priority(
    store: Store,
    case_id: int,
    priority: str,
    *,
    reason: str,
    actor: str,
    now: datetime,
    version: int | None = None,
    policy: SlaPolicy | None = None,
) -> dict[str, Any]:
    """Set the priority of a case by hand (``reason`` required); returns the updated case."""
    require_aware(now)
    if priority not in CASE_PRIORITIES:
        raise InvalidInputError(
            f"unknown priority {priority!r}; use one of {', '.join(CASE_PRIORITIES)}"
        )
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInputError("say why the priority changes (--reason); it is kept in history")
    policy = policy or default_policy()
    with db.transaction(store) as tx:
        row, version = load_for_change(tx, case_id, version)
        if row["status"] == "closed":
            raise InvalidInputError(f"case {case_id} is closed; its priority no longer matters")
        if row["priority"] == priority:
            raise InvalidInputError(f"case {case_id} is already {priority}")
        old_clock, new_clock = policy.clock(row["priority"]), policy.clock(priority)
        old_t, new_t = policy.target(row["priority"]), policy.target(priority)
        reopened = [e["at"] for e in tx.events(case_id) if e["kind"] == "reopened"]
        changes: dict[str, Any] = {
            "priority": priority,
            "priority_reason": f"{priority} (set by {actor}): {reason}",
            "updated_at": now,
        }
        targets = (
            (
                "first_response_due_at",
                row["first_responded_at"],
                row["opened_at"],
                old_t.first_response_hours,
                new_t.first_response_hours,
            ),
            (
                "resolution_due_at",
                row["resolved_at"],
                reopened[-1] if reopened else row["opened_at"],
                old_t.resolution_hours,
                new_t.resolution_hours,
            ),
        )
        for column, met, start, old_hours, new_hours in targets:
            if met is not None or row[column] is None:
                continue
            # waiting time folded into the old due time (0 if the clocks differ in kind)
            waited = max(0.0, old_clock.between(start, row[column]) - old_hours * 3600)
            changes[column] = new_clock.add(start, new_hours * 3600 + waited)
        tx.update_case(case_id, version, changes)
        tx.add_event(
            case_id,
            now,
            actor,
            "priority",
            field="priority",
            old=row["priority"],
            new=priority,
            body=reason,
        )
        for column in ("first_response_due_at", "resolution_due_at"):
            if column in changes and changes[column] != row[column]:
                tx.add_event(
                    case_id,
                    now,
                    actor,
                    "due",
                    field=column,
                    old=iso(row[column]),
                    new=iso(changes[column]),
                    body=f"priority {priority}",
                )
        return case_view(tx, case_id)
