"""Reads and writes of the outreach capability: actions, campaigns, the send log, consent.

Only this module speaks SQL for ``retain.outreach``; it returns plain dicts
and pandas frames. Every message sent is written together with its
interaction (the customer's timeline) in one transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

import pandas as pd
from sqlalchemy import and_, func, insert, or_, select, update
from sqlalchemy import case as when
from sqlalchemy.exc import IntegrityError

from retain.errors import ConflictError, NotFoundError
from retain.store.engine import Store
from retain.store.schema import (
    Campaign,
    CampaignMember,
    Case,
    Customer,
    Feedback,
    Interaction,
    OutreachAction,
    OutreachSend,
    Suppression,
    User,
)

CUSTOMER_COLUMNS = (
    "customer_id",
    "external_id",
    "name",
    "email",
    "company",
    "city",
    "country",
    "owner",
    "email_consent",
    "do_not_contact",
    "do_not_contact_reason",
    "let_go",
    "competitor_status",
    "merged_into_id",
)


def _frame(rows: Sequence[Any], columns: Sequence[str]) -> pd.DataFrame:
    return pd.DataFrame([dict(r) for r in rows], columns=list(columns))


def _chunks(ids: Sequence[int], size: int = 5000) -> Iterable[list[int]]:
    for i in range(0, len(ids), size):
        yield list(ids[i : i + size])


def customers(store: Store, ids: Iterable[int] | None = None) -> pd.DataFrame:
    """Customers with contact details, consent flags and owner username (``CUSTOMER_COLUMNS``)."""
    c, u = Customer.__table__, User.__table__
    q = select(
        c.c.id.label("customer_id"),
        c.c.external_id,
        c.c.name,
        c.c.email,
        c.c.company,
        c.c.city,
        c.c.country,
        u.c.username.label("owner"),
        c.c.email_consent,
        c.c.do_not_contact,
        c.c.do_not_contact_reason,
        c.c.let_go,
        c.c.competitor_status,
        c.c.merged_into_id,
    ).select_from(c.outerjoin(u, u.c.id == c.c.owner_id))
    rows: list[Any] = []
    with store.read() as conn:
        if ids is None:
            rows = list(conn.execute(q.order_by(c.c.id)).mappings())
        else:
            for part in _chunks(sorted(set(ids))):
                rows += conn.execute(q.where(c.c.id.in_(part))).mappings().all()
    return _frame(rows, CUSTOMER_COLUMNS)


def customer_ids_by_external(store: Store, external_ids: Sequence[str]) -> dict[str, int]:
    """Store ids of the customers with these external ids (missing ones left out)."""
    c = Customer.__table__
    out: dict[str, int] = {}
    with store.read() as conn:
        for i in range(0, len(external_ids), 5000):
            part = list(external_ids[i : i + 5000])
            for ext, cid in conn.execute(
                select(c.c.external_id, c.c.id).where(c.c.external_id.in_(part))
            ):
                out[ext] = cid
    return out


def contacts_since(store: Store, since: datetime, ids: Iterable[int] | None = None) -> pd.DataFrame:
    """Outbound interactions at or after ``since``: ``customer_id, channel, occurred_at, kind``."""
    t = Interaction.__table__
    q = select(t.c.customer_id, t.c.channel, t.c.occurred_at, t.c.kind).where(
        t.c.occurred_at >= since, t.c.direction == "outbound"
    )
    rows: list[Any] = []
    with store.read() as conn:
        if ids is None:
            rows = list(conn.execute(q).mappings())
        else:
            for part in _chunks(sorted(set(ids))):
                rows += conn.execute(q.where(t.c.customer_id.in_(part))).mappings().all()
    frame = _frame(rows, ("customer_id", "channel", "occurred_at", "kind"))
    frame["occurred_at"] = pd.to_datetime(frame["occurred_at"], utc=True)
    return frame


def suppressions(store: Store) -> pd.DataFrame:
    """Every suppression: ``customer_id, email, channel, reason, created_at``."""
    s = Suppression.__table__
    q = select(s.c.customer_id, s.c.email, s.c.channel, s.c.reason, s.c.created_at)
    with store.read() as conn:
        rows = conn.execute(q).mappings().all()
    return _frame(rows, ("customer_id", "email", "channel", "reason", "created_at"))


def latest_nps(store: Store, until: datetime) -> pd.DataFrame:
    """Latest 0-10 score per customer up to ``until``: ``customer_id, nps_score, responded_at``."""
    f = Feedback.__table__
    q = (
        select(f.c.customer_id, f.c.nps_score, f.c.responded_at)
        .where(f.c.customer_id.is_not(None), f.c.nps_score.is_not(None), f.c.responded_at <= until)
        .order_by(f.c.customer_id, f.c.responded_at)
    )
    with store.read() as conn:
        frame = _frame(
            conn.execute(q).mappings().all(), ("customer_id", "nps_score", "responded_at")
        )
    frame["responded_at"] = pd.to_datetime(frame["responded_at"], utc=True)
    return frame.drop_duplicates("customer_id", keep="last").reset_index(drop=True)


def open_cases(store: Store, at: datetime) -> pd.DataFrame:
    """Cases open or pending at ``at`` with their SLA due times."""
    k = Case.__table__
    q = select(
        k.c.id.label("case_id"),
        k.c.customer_id,
        k.c.subject,
        k.c.status,
        k.c.first_response_due_at,
        k.c.first_responded_at,
        k.c.resolution_due_at,
    ).where(k.c.status.in_(("open", "pending")), k.c.opened_at <= at)
    with store.read() as conn:
        frame = _frame(
            conn.execute(q).mappings().all(),
            (
                "case_id",
                "customer_id",
                "subject",
                "status",
                "first_response_due_at",
                "first_responded_at",
                "resolution_due_at",
            ),
        )
    for col in ("first_response_due_at", "first_responded_at", "resolution_due_at"):
        frame[col] = pd.to_datetime(frame[col], utc=True)
    return frame


# --- actions ---------------------------------------------------------------

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


# --- campaigns -------------------------------------------------------------


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


def sends(store: Store, campaign_id: int | None = None) -> pd.DataFrame:
    """The send log (of one campaign): ``customer_id, channel, address, status, reason, at``."""
    s = OutreachSend.__table__
    q = select(
        s.c.id,
        s.c.campaign_id,
        s.c.customer_id,
        s.c.channel,
        s.c.address,
        s.c.status,
        s.c.reason,
        s.c.message_id,
        s.c.at,
    )
    if campaign_id is not None:
        q = q.where(s.c.campaign_id == campaign_id)
    cols = ("id", "campaign_id", "customer_id", "channel", "address", "status", "reason")
    with store.read() as conn:
        return _frame(
            conn.execute(q.order_by(s.c.id)).mappings().all(), (*cols, "message_id", "at")
        )


def attempted(store: Store, campaign_id: int) -> set[int]:
    """Customers the campaign has already sent to, skipped or exported (never twice)."""
    s = OutreachSend.__table__
    with store.read() as conn:
        return set(
            conn.execute(select(s.c.customer_id).where(s.c.campaign_id == campaign_id)).scalars()
        )


def log_skips(store: Store, rows: list[dict[str, Any]]) -> None:
    """Write send-log rows for customers that were not contacted (with the reason)."""
    if rows:
        with store.write() as conn:
            conn.execute(insert(OutreachSend.__table__), rows)


def record_contact(
    store: Store,
    *,
    customer_id: int,
    channel: str,
    kind: str,
    note: str | None,
    by_whom: str | None,
    at: datetime,
    campaign_id: int | None = None,
    campaign_ref: str | None = None,
    address: str | None = None,
    status: str = "sent",
    message_id: str | None = None,
    log: bool = True,
) -> int:
    """Record one contact made: an outbound interaction and (when ``log``) its send-log row.

    Returns the interaction id.
    """
    i = Interaction.__table__
    with store.write() as conn:
        iid = conn.execute(
            insert(i).returning(i.c.id),
            {
                "external_id": f"outreach-{uuid.uuid4().hex}",
                "customer_id": customer_id,
                "occurred_at": at,
                "channel": channel,
                "direction": "outbound",
                "kind": kind,
                "note": note,
                "by_whom": by_whom,
                "campaign_ref": campaign_ref,
                "created_at": at,
                "updated_at": at,
            },
        ).scalar_one()
        if log:
            conn.execute(
                insert(OutreachSend.__table__),
                {
                    "campaign_id": campaign_id,
                    "customer_id": customer_id,
                    "channel": channel,
                    "address": address,
                    "status": status,
                    "message_id": message_id,
                    "interaction_id": iid,
                    "at": at,
                },
            )
    return int(iid)


def record_bounce(
    store: Store,
    *,
    customer_id: int,
    email: str | None,
    reason: str,
    at: datetime,
    campaign_id: int | None = None,
    hard: bool = True,
) -> None:
    """Log a bounced message; a hard bounce suppresses the address for e-mail."""
    with store.write() as conn:
        conn.execute(
            insert(OutreachSend.__table__),
            {
                "campaign_id": campaign_id,
                "customer_id": customer_id,
                "channel": "email",
                "address": email,
                "status": "bounced",
                "reason": reason,
                "at": at,
            },
        )
        if hard:
            conn.execute(
                insert(Suppression.__table__),
                {
                    "customer_id": customer_id,
                    "email": email,
                    "channel": "email",
                    "reason": "bounce",
                    "note": reason,
                    "campaign_id": campaign_id,
                    "created_at": at,
                },
            )


def unsubscribe(
    store: Store, *, customer_id: int, email: str | None, campaign_id: int | None, at: datetime
) -> bool:
    """Withdraw the customer's e-mail consent, suppress the address, note it on the timeline.

    Returns False when the customer had already unsubscribed (nothing changed).
    """
    c, s, i = Customer.__table__, Suppression.__table__, Interaction.__table__
    with store.write() as conn:
        row = conn.execute(select(c.c.id, c.c.email_consent).where(c.c.id == customer_id)).first()
        if row is None:
            raise NotFoundError("the customer of this link no longer exists")
        already = conn.execute(
            select(func.count()).where(
                s.c.customer_id == customer_id, s.c.channel == "email", s.c.reason == "unsubscribe"
            )
        ).scalar_one()
        if already and row.email_consent is False:
            return False
        conn.execute(
            update(c)
            .where(c.c.id == customer_id)
            .values(email_consent=False, consent_updated_at=at, updated_at=at)
        )
        conn.execute(
            insert(s),
            {
                "customer_id": customer_id,
                "email": email,
                "channel": "email",
                "reason": "unsubscribe",
                "note": "one-click unsubscribe link",
                "campaign_id": campaign_id,
                "created_at": at,
            },
        )
        conn.execute(
            insert(i),
            {
                "external_id": f"outreach-{uuid.uuid4().hex}",
                "customer_id": customer_id,
                "occurred_at": at,
                "channel": "email",
                "direction": "inbound",
                "kind": "unsubscribe",
                "note": "unsubscribed through the one-click link",
                "by_whom": "customer",
                "campaign_ref": None,
                "created_at": at,
                "updated_at": at,
            },
        )
    return True


def responses(store: Store, ids: Sequence[int], since: datetime, until: datetime) -> pd.DataFrame:
    """Inbound interactions and feedback of these customers in ``(since, until]``.

    Columns ``customer_id, at``; unsubscribes do not count as a response.
    """
    i, f = Interaction.__table__, Feedback.__table__
    rows: list[Any] = []
    with store.read() as conn:
        for part in _chunks(sorted(set(ids))):
            rows += (
                conn.execute(
                    select(i.c.customer_id, i.c.occurred_at.label("at")).where(
                        i.c.customer_id.in_(part),
                        i.c.direction == "inbound",
                        or_(i.c.kind.is_(None), i.c.kind != "unsubscribe"),
                        i.c.occurred_at > since,
                        i.c.occurred_at <= until,
                    )
                )
                .mappings()
                .all()
            )
            rows += (
                conn.execute(
                    select(f.c.customer_id, f.c.responded_at.label("at")).where(
                        f.c.customer_id.in_(part),
                        f.c.responded_at > since,
                        f.c.responded_at <= until,
                    )
                )
                .mappings()
                .all()
            )
    return _frame(rows, ("customer_id", "at"))
