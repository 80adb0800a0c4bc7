"""What the outreach rules and the consent gate read about customers: contact
fields and flags, recent contacts, suppressions, latest NPS answers, open cases."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

import pandas as pd
from sqlalchemy import select

from retain.store.engine import Store
from retain.store.outreach._common import _chunks, _frame
from retain.store.schema import (
    Case,
    Customer,
    Feedback,
    Interaction,
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
