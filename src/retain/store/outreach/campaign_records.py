"""Campaigns and their members (treated and control arms)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pandas as pd
from sqlalchemy import case as when
from sqlalchemy import func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from retain.errors import ConflictError, NotFoundError
from retain.store.engine import Store
from retain.store.outreach._common import _frame
from retain.store.schema import (
    Campaign,
    CampaignMember,
    OutreachSend,
)


def create_campaign(store: Store, values: dict[str, Any]) -> int:
    """Insert a campaign; ConflictError if the name is taken."""
    t = Campaign.__table__
    try:
        with store.write() as conn:
            return conn.execute(insert(t).returning(t.c.id), values).scalar_one()
    except IntegrityError as exc:
        raise ConflictError(
            f"a campaign named {values.get('name')!r} exists already; choose another name"
        ) from exc


def campaign(store: Store, ref: int | str) -> dict[str, Any]:
    """The campaign named ``ref`` (or with id ``ref``); NotFoundError otherwise."""
    t = Campaign.__table__
    cond = t.c.name == str(ref)
    if isinstance(ref, int) or str(ref).isdigit():
        cond = or_(cond, t.c.id == int(ref))
    with store.read() as conn:
        row = conn.execute(select(t).where(cond).order_by(t.c.id)).mappings().first()
    if row is None:
        raise NotFoundError(f"no campaign {ref!r}; `retain campaign list` shows the campaigns")
    return dict(row)


def campaigns(store: Store) -> list[dict[str, Any]]:
    """Every campaign with its member and send counts."""
    t, m, s = Campaign.__table__, CampaignMember.__table__, OutreachSend.__table__
    members = (
        select(
            m.c.campaign_id,
            func.sum(when((m.c.arm == "treated", 1), else_=0)).label("treated"),
            func.sum(when((m.c.arm == "control", 1), else_=0)).label("control"),
        )
        .group_by(m.c.campaign_id)
        .subquery()
    )
    sent = (
        select(s.c.campaign_id, func.count().label("sent"))
        .where(s.c.status.in_(("sent", "exported")))
        .group_by(s.c.campaign_id)
        .subquery()
    )
    q = (
        select(
            t.c.id,
            t.c.name,
            t.c.channel,
            t.c.status,
            t.c.scheduled_at,
            t.c.started_at,
            members.c.treated,
            members.c.control,
            sent.c.sent,
        )
        .select_from(
            t.outerjoin(members, members.c.campaign_id == t.c.id).outerjoin(
                sent, sent.c.campaign_id == t.c.id
            )
        )
        .order_by(t.c.id)
    )
    with store.read() as conn:
        return [dict(r) for r in conn.execute(q).mappings()]


def set_campaign(store: Store, campaign_id: int, values: dict[str, Any]) -> None:
    """Change columns of one campaign."""
    t = Campaign.__table__
    with store.write() as conn:
        conn.execute(update(t).where(t.c.id == campaign_id).values(**values))


def claim_campaign(store: Store, campaign_id: int, now: datetime) -> bool:
    """Mark a draft or scheduled campaign as sending; False if someone else has it already."""
    t = Campaign.__table__
    with store.write() as conn:
        n = conn.execute(
            update(t)
            .where(t.c.id == campaign_id, t.c.status.in_(("draft", "scheduled")))
            .values(status="sending", started_at=func.coalesce(t.c.started_at, now))
        ).rowcount
    return bool(n)


def due_campaigns(store: Store, now: datetime) -> list[int]:
    """Ids of scheduled campaigns whose time has come."""
    t = Campaign.__table__
    q = select(t.c.id).where(t.c.status == "scheduled", t.c.scheduled_at <= now)
    with store.read() as conn:
        return list(conn.execute(q.order_by(t.c.scheduled_at, t.c.id)).scalars())


def insert_members(store: Store, rows: list[dict[str, Any]]) -> None:
    """Insert the drawn members of a campaign."""
    if rows:
        with store.write() as conn:
            conn.execute(insert(CampaignMember.__table__), rows)


def members(store: Store, campaign_id: int) -> pd.DataFrame:
    """A campaign's members: ``customer_id, arm, stage, substage, assigned_at``."""
    m = CampaignMember.__table__
    q = select(m.c.customer_id, m.c.arm, m.c.stage, m.c.substage, m.c.assigned_at).where(
        m.c.campaign_id == campaign_id
    )
    with store.read() as conn:
        frame = _frame(
            conn.execute(q.order_by(m.c.customer_id)).mappings().all(),
            ("customer_id", "arm", "stage", "substage", "assigned_at"),
        )
    return frame
