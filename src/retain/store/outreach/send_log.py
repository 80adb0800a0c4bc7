"""The send log and what a contact writes: sends, skips, bounces, unsubscribes,
the interaction of each message, and the responses that measure a campaign."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import pandas as pd
from sqlalchemy import func, insert, or_, select, update

from retain.errors import NotFoundError
from retain.store.engine import Store
from retain.store.outreach._common import _chunks, _frame
from retain.store.schema import (
    Customer,
    Feedback,
    Interaction,
    OutreachSend,
    Suppression,
)


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
