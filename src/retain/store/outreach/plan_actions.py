"""The plan's actions: saved per cycle, listed, snoozed, assigned, done."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import and_, insert, or_, select, update

from retain.errors import NotFoundError
from retain.store.engine import Store
from retain.store.schema import (
    Customer,
    OutreachAction,
    User,
)

ACTION_COLUMNS = (
    "id",
    "customer_id",
    "external_id",
    "customer_name",
    "owner",
    "cycle",
    "rule",
    "reason",
    "score",
    "value_minor",
    "numbers",
    "channel",
    "status",
    "assignee",
    "snoozed_until",
    "outcome",
    "done_at",
)


def _action_select() -> Any:
    a, c, u, o = (
        OutreachAction.__table__,
        Customer.__table__,
        User.__table__.alias("assignee"),
        User.__table__.alias("owner"),
    )
    return select(
        a.c.id,
        a.c.customer_id,
        c.c.external_id,
        c.c.name.label("customer_name"),
        o.c.username.label("owner"),
        a.c.cycle,
        a.c.rule,
        a.c.reason,
        a.c.score,
        a.c.value_minor,
        a.c.numbers,
        a.c.channel,
        a.c.status,
        u.c.username.label("assignee"),
        a.c.snoozed_until,
        a.c.outcome,
        a.c.done_at,
    ).select_from(
        a.join(c, c.c.id == a.c.customer_id)
        .outerjoin(u, u.c.id == a.c.assignee_id)
        .outerjoin(o, o.c.id == c.c.owner_id)
    )


def save_actions(store: Store, rows: list[dict[str, Any]], now: datetime) -> int:
    """Insert actions of a cycle, skipping customers who have one in that cycle; how many new."""
    if not rows:
        return 0
    a = OutreachAction.__table__
    cycle = rows[0]["cycle"]
    with store.write() as conn:
        have = set(conn.execute(select(a.c.customer_id).where(a.c.cycle == cycle)).scalars())
        new = [
            {**r, "status": "open", "created_at": now, "updated_at": now}
            for r in rows
            if r["customer_id"] not in have
        ]
        if new:
            conn.execute(insert(a), new)
    return len(new)


def actions(
    store: Store, *, cycle: str | None = None, ids: Iterable[int] | None = None
) -> list[dict]:
    """Saved actions (``ACTION_COLUMNS``), of one cycle or with these ids."""
    a = OutreachAction.__table__
    q = _action_select()
    if cycle is not None:
        q = q.where(a.c.cycle == cycle)
    if ids is not None:
        q = q.where(a.c.id.in_(list(ids)))
    with store.read() as conn:
        return [dict(r) for r in conn.execute(q.order_by(a.c.score.desc(), a.c.id)).mappings()]


def snoozed_or_done(store: Store, at: datetime, done_since: datetime) -> set[int]:
    """Customers with an action snoozed past ``at`` or done at or after ``done_since``."""
    a = OutreachAction.__table__
    q = select(a.c.customer_id).where(
        or_(
            and_(a.c.status == "snoozed", a.c.snoozed_until > at),
            and_(a.c.status == "done", a.c.done_at >= done_since),
        )
    )
    with store.read() as conn:
        return set(conn.execute(q).scalars())


def update_action(store: Store, action_id: int, values: dict[str, Any]) -> None:
    """Change one action; NotFoundError if there is none with this id."""
    a = OutreachAction.__table__
    with store.write() as conn:
        n = conn.execute(update(a).where(a.c.id == action_id).values(**values)).rowcount
    if not n:
        raise NotFoundError(f"no action {action_id}; `retain plan` lists the actions with their id")


def user_id(store: Store, username: str) -> int:
    """The id of user ``username``; NotFoundError naming how to list users."""
    u = User.__table__
    with store.read() as conn:
        found = conn.execute(select(u.c.id).where(u.c.username == username)).scalar_one_or_none()
    if found is None:
        raise NotFoundError(f"no user {username!r}; `retain users list` shows the users")
    return int(found)
