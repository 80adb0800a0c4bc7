"""The cases queue and case actions for the web, over :mod:`retain.service`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from retain.store import Store

PRIORITY_ORDER = {"urgent": 0, "high": 1, "normal": 2, "low": 3}


def queue(
    store: Store,
    *,
    now: datetime,
    statuses: list[str] | None = None,
    owner: str | None = None,
    limit: int = 500,
) -> list[dict[str, Any]]:
    """Cases by priority, then late ones first, then by the next due time, then oldest."""
    from retain.service import find_cases

    frame = find_cases(
        store, now=now, statuses=statuses or ["open", "pending"], owner=owner, limit=limit
    )
    rows = frame.astype(object).where(frame.notna(), None).to_dict("records")
    far = datetime.max.replace(tzinfo=now.tzinfo)

    def key(row: dict[str, Any]) -> tuple:
        due = [
            d
            for d in (
                row["first_response_due_at"] if not row["first_responded_at"] else None,
                row["resolution_due_at"],
            )
            if d is not None
        ]
        return (
            PRIORITY_ORDER.get(row["priority"], 9),
            not row["breached"],
            min(due, default=far),
            row["id"],  # the same due time: the one waiting longest first
        )

    rows.sort(key=key)
    for row in rows:
        row["breached"] = row["breached"] or ""
        row["sla"] = sla_state(row, now)
    return rows


def sla_state(row: dict[str, Any], now: datetime) -> str:
    """``late`` (a target missed), ``due`` (a target within 4 hours) or ``ok``."""
    if row.get("breached"):
        return "late"
    for due in (
        row.get("first_response_due_at") if not row.get("first_responded_at") else None,
        row.get("resolution_due_at"),
    ):
        if due is not None and (due - now).total_seconds() < 4 * 3600:
            return "due"
    return "ok"


def act(
    store: Store, case_id: int, action: str, values: dict[str, Any], *, actor: str, now: datetime
) -> None:
    """Run one case action: ``comment``, ``status``, ``resolve``, ``assign`` or ``reopen``."""
    from retain import service

    version = values.get("version")
    if action == "comment":
        service.comment(
            store,
            case_id,
            body=values["body"],
            internal=bool(values.get("internal")),
            actor=actor,
            now=now,
            version=version,
        )
    elif action == "status":
        if values["status"] == "closed":
            service.close(store, case_id, actor=actor, now=now, version=version)
        else:
            service.set_status(
                store,
                case_id,
                values["status"],
                actor=actor,
                now=now,
                version=version,
                note=values.get("note"),
            )
    elif action == "resolve":
        service.resolve(
            store,
            case_id,
            code=values["code"],
            note=values.get("note"),
            actor=actor,
            now=now,
            version=version,
        )
    elif action == "assign":
        service.assign(
            store,
            case_id,
            owner=values["owner"],
            reason=values.get("reason"),
            actor=actor,
            now=now,
            version=version,
        )
    elif action == "reopen":
        service.reopen(
            store, case_id, reason=values.get("note"), actor=actor, now=now, version=version
        )
    else:
        raise ValueError(f"unknown case action {action!r}")
