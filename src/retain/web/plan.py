"""This week's outreach for the web: the stored actions of the cycle, and working them.

Building the plan (:func:`retain.outreach.plan`) reads every customer's
orders, opinions and cases: seconds on a large store. So the pages and the
API never build it on a read; they list the actions the plan saved for the
current cycle (the ISO week, like ``retain plan``), and the plan is built
only when someone asks: ``retain plan`` on the CLI (from cron, say) or the
"Build plan" button (``POST /plan/refresh``, agents and admins). A rebuild
keeps the actions the cycle has already (one per customer per cycle) and
adds the customers newly picked.

Working an action goes through :mod:`retain.outreach` (``assign``,
``done``, ``snooze``), so marking it done records the contact on the
customer's timeline exactly as ``retain actions done`` does.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from retain import analytics, outreach
from retain.config import Settings, section
from retain.errors import InvalidInputError, NotFoundError
from retain.store import Store
from retain.store import outreach as db

#: the statuses an action moves through (``open`` until someone takes it)
STATUSES = ("open", "assigned", "done", "snoozed")
#: statuses still to be worked
TO_DO = ("open", "assigned")


def plan_settings(settings: Settings) -> tuple[dict[str, Any], dict[str, Any]]:
    """The ``[outreach]`` and ``[lifecycle]`` settings, as ``retain plan`` reads them."""
    cfg = outreach.outreach_settings(section(settings, "outreach", outreach.DEFAULTS))
    return cfg, section(settings, "lifecycle", analytics.DEFAULTS)


def cycle_actions(
    store: Store,
    now: datetime,
    *,
    owner: str | None = None,
    rule: str | None = None,
    statuses: list[str] | tuple[str, ...] | None = None,
) -> list[dict[str, Any]]:
    """The saved actions of the cycle of ``now``, best first, each with its ``rank``.

    ``rank`` is the place in the whole cycle by score (1 = most at stake per
    minute), kept when filtering. ``owner``: the customer's rep or the
    action's assignee (username), as ``retain plan --owner``; ``rule``: one
    rule; ``statuses``: any of :data:`STATUSES` (default: all).
    """
    rows = db.actions(store, cycle=outreach.cycle_of(now))
    out = []
    for rank, row in enumerate(rows, start=1):
        if owner and owner not in (row["owner"], row["assignee"]):
            continue
        if rule and row["rule"] != rule:
            continue
        if statuses and row["status"] not in statuses:
            continue
        out.append({**row, "rank": rank})
    return out


def refresh(store: Store, settings: Settings, now: datetime) -> int:
    """Build the plan of the cycle of ``now`` and save its new actions; how many to do now."""
    cfg, lifecycle = plan_settings(settings)
    rows = outreach.plan(store, as_of=now, cfg=cfg, lifecycle=lifecycle, save=True, tz=settings.tz)
    return len(rows)


def work(
    store: Store,
    action_id: int,
    change: dict[str, Any],
    *,
    actor: str,
    now: datetime,
) -> dict[str, Any]:
    """Apply one change to an action and return it as :func:`cycle_actions` rows look.

    ``change``: ``{"action": "assign", "to": USER}``, ``{"action": "done",
    "outcome": TEXT}`` (the contact goes on the customer's timeline, by
    ``actor``) or ``{"action": "snooze", "until": TIME}`` (aware, later than
    ``now``).
    """
    kind = change.get("action")
    if kind == "assign":
        outreach.assign(store, action_id, to=change["to"], now=now)
    elif kind == "done":
        outreach.done(store, action_id, outcome=change["outcome"], by=actor, now=now)
    elif kind == "snooze":
        outreach.snooze(store, action_id, until=change["until"], now=now)
    else:
        raise InvalidInputError(f"unknown change {kind!r}: use assign, done or snooze")
    return one(store, action_id)


def one(store: Store, action_id: int) -> dict[str, Any]:
    """Action ``action_id`` (any cycle), with ``rank`` in its cycle."""
    rows = db.actions(store, ids=[action_id])
    if not rows:
        raise NotFoundError(f"no action {action_id}; GET /api/v1/actions lists this week's")
    row = rows[0]
    cycle = db.actions(store, cycle=row["cycle"])
    rank = next(i for i, r in enumerate(cycle, start=1) if r["id"] == action_id)
    return {**row, "rank": rank}


def outreach_card(store: Store, now: datetime, limit: int = 10) -> dict[str, Any]:
    """The dashboard's "This week's outreach": the first ``limit`` actions still to do.

    ``built``: whether a plan was saved for this cycle at all (to tell "no
    plan yet" from "all done"); ``to_do``: how many actions are still open or
    assigned.
    """
    rows = db.actions(store, cycle=outreach.cycle_of(now))
    todo = [{**r, "rank": i} for i, r in enumerate(rows, start=1) if r["status"] in TO_DO]
    return {
        "cycle": outreach.cycle_of(now),
        "built": bool(rows),
        "to_do": len(todo),
        "rows": todo[:limit],
    }
