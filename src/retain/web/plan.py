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
from retain.store import action_pages as pages
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
    offset: int = 0,
    limit: int = 50,
) -> tuple[list[dict[str, Any]], int]:
    """One page of the saved actions of the cycle of ``now``, best first, and how many match.

    Each row has its ``rank``: the place in the whole cycle by score (1 =
    most at stake per minute), kept when filtering. ``owner``: the
    customer's rep or the action's assignee (username), as ``retain plan
    --owner``; ``rule``: one rule; ``statuses``: any of :data:`STATUSES`
    (default: all).
    """
    return pages.action_page(
        store,
        cycle=outreach.cycle_of(now),
        owner=owner,
        rule=rule,
        statuses=statuses,
        offset=offset,
        limit=limit,
    )


def status_counts(store: Store, now: datetime) -> dict[str, int]:
    """How many actions of the cycle of ``now`` are in each of :data:`STATUSES`."""
    counts = pages.status_counts(store, outreach.cycle_of(now))
    return {s: counts.get(s, 0) for s in STATUSES}


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
    return {**rows[0], "rank": pages.action_rank(store, rows[0])}


def outreach_card(store: Store, now: datetime, limit: int = 10) -> dict[str, Any]:
    """The dashboard's "This week's outreach": the first ``limit`` actions still to do.

    ``rank`` is the place among the actions still to do. ``built``: whether
    a plan was saved for this cycle at all (to tell "no plan yet" from "all
    done"); ``to_do``: how many actions are still open or assigned.
    """
    cycle = outreach.cycle_of(now)
    rows, to_do = pages.action_page(
        store, cycle=cycle, statuses=TO_DO, limit=limit, cycle_rank=False
    )
    return {
        "cycle": cycle,
        "built": bool(to_do) or pages.has_actions(store, cycle),
        "to_do": to_do,
        "rows": rows,
    }
