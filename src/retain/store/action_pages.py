"""Reads of the saved outreach actions for screens: one page, filtered, ranked in SQL.

:func:`retain.store.outreach.actions` returns a whole cycle (tens of
thousands of rows on a large store, over a second); the web app needs one
page of it, the counts per status and each action's rank, in milliseconds.
``rank`` is the place in the cycle by score, best first (ties: the older
action first), as ``ORDER BY score DESC, id`` lists them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import and_, false, func, or_, select

from retain.store.engine import Store
from retain.store.outreach import _action_select
from retain.store.schema import Customer, OutreachAction, User


def _conditions(
    conn: Any, owner: str | None, rule: str | None, statuses: Sequence[str] | None
) -> list[Any]:
    """Filters on the actions table alone (so that counting needs no join)."""
    a, c, u = OutreachAction.__table__, Customer.__table__, User.__table__
    out = []
    if owner:
        uid = conn.execute(select(u.c.id).where(u.c.username == owner)).scalar()
        if uid is None:  # nobody of that name: no action (never "IS NULL")
            out.append(false())
        else:
            owned = select(c.c.id).where(c.c.owner_id == uid)
            out.append(or_(a.c.assignee_id == uid, a.c.customer_id.in_(owned)))
    if rule:
        out.append(a.c.rule == rule)
    if statuses:
        out.append(a.c.status.in_(list(statuses)))
    return out


def action_page(
    store: Store,
    *,
    cycle: str,
    owner: str | None = None,
    rule: str | None = None,
    statuses: Sequence[str] | None = None,
    offset: int = 0,
    limit: int = 50,
    cycle_rank: bool = True,
) -> tuple[list[dict[str, Any]], int]:
    """Actions of ``cycle`` by rank (``ACTION_COLUMNS`` and ``rank``), and how many match.

    ``owner``: the customer's rep or the action's assignee (username);
    ``rule``: one rule; ``statuses``: any of open, assigned, done, snoozed.
    ``cycle_rank``: rank in the whole cycle (a window over it, about 0.1 s
    for 30,000 actions on SQLite, when filtering), else the place among the
    matching actions.
    """
    a = OutreachAction.__table__
    order = (a.c.score.desc(), a.c.id)
    with store.read() as conn:
        where = [a.c.cycle == cycle, *_conditions(conn, owner, rule, statuses)]
        total = conn.execute(select(func.count()).select_from(a).where(*where)).scalar_one()
        # the page's ids first (no join), then their rows: SQLite would join every row to sort
        ids_q = select(a.c.id).where(*where).order_by(*order).offset(offset).limit(limit)
        page_ids = list(conn.execute(ids_q).scalars())
        q = _action_select().where(a.c.id.in_(page_ids)).order_by(*order)
        rows = [dict(r) for r in conn.execute(q).mappings()]
        if len(where) == 1 or not cycle_rank:
            ranks = {r["id"]: offset + i for i, r in enumerate(rows, start=1)}
        else:
            ranked = (
                select(a.c.id, func.row_number().over(order_by=order).label("rank"))
                .where(a.c.cycle == cycle)
                .subquery()
            )
            found = conn.execute(
                select(ranked.c.id, ranked.c.rank).where(ranked.c.id.in_(page_ids))
            )
            ranks = {int(i): int(rank) for i, rank in found}
    return [{**r, "rank": int(ranks[r["id"]])} for r in rows], int(total)


def has_actions(store: Store, cycle: str) -> bool:
    """Whether a plan was saved for ``cycle``."""
    a = OutreachAction.__table__
    with store.read() as conn:
        return conn.execute(select(a.c.id).where(a.c.cycle == cycle).limit(1)).first() is not None


def status_counts(store: Store, cycle: str) -> dict[str, int]:
    """How many actions of ``cycle`` are in each status (statuses with none left out)."""
    a = OutreachAction.__table__
    q = select(a.c.status, func.count()).where(a.c.cycle == cycle).group_by(a.c.status)
    with store.read() as conn:
        return {status: int(n) for status, n in conn.execute(q)}


def action_rank(store: Store, action: dict[str, Any]) -> int:
    """The rank of a saved action (a row of ``ACTION_COLUMNS``) in its cycle."""
    a = OutreachAction.__table__
    better = or_(
        a.c.score > action["score"], and_(a.c.score == action["score"], a.c.id < action["id"])
    )
    q = select(func.count()).where(a.c.cycle == action["cycle"], better)
    with store.read() as conn:
        return int(conn.execute(q).scalar_one()) + 1
