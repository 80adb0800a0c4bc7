"""Reads and writes of the audiences capability: customer attributes, segments, merges, competitors.

Only this module speaks SQL for ``retain.audience``; it returns plain dicts
and pandas frames.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import pandas as pd
from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from retain.errors import ConflictError, InvalidInputError, NotFoundError
from retain.store.engine import Store
from retain.store.schema import (
    Case,
    Customer,
    CustomerMerge,
    Feedback,
    Interaction,
    Order,
    Segment,
    SurveyInvitation,
)

#: customer columns the audiences read (demographics, contact, flags)
CUSTOMER_COLUMNS = (
    "id",
    "external_id",
    "name",
    "email",
    "phone",
    "company",
    "birth_year",
    "age_band",
    "gender",
    "profession",
    "income_band",
    "city",
    "region",
    "country",
    "postal_code",
    "acquisition_channel",
    "email_consent",
    "do_not_contact",
    "let_go",
    "tags",
    "competitor_status",
    "merged_into_id",
    "first_seen_at",
)
#: records that follow a customer when he is merged into another
MOVED = {
    "orders": Order.__table__,
    "interactions": Interaction.__table__,
    "feedback": Feedback.__table__,
    "cases": Case.__table__,
    "survey_invitations": SurveyInvitation.__table__,
}
#: customer fields a merge fills on the survivor when his are empty
FILLED = (
    "name",
    "email",
    "phone",
    "company",
    "birth_year",
    "age_band",
    "gender",
    "profession",
    "income_band",
    "city",
    "region",
    "country",
    "postal_code",
    "acquisition_channel",
    "email_consent",
    "owner_id",
    "tags",
    "attributes",
    "first_seen_at",
)
_TIMES = {"first_seen_at", "consent_updated_at", "updated_at"}


def customer_frame(store: Store, *, include_merged: bool = False) -> pd.DataFrame:
    """Customers with :data:`CUSTOMER_COLUMNS` (``id`` renamed ``customer_id``), by id.

    Customers merged into another are left out unless ``include_merged``.
    """
    t = Customer.__table__
    query = select(*(t.c[c] for c in CUSTOMER_COLUMNS)).order_by(t.c.id)
    if not include_merged:
        query = query.where(t.c.merged_into_id.is_(None))
    with store.read() as conn:
        rows = conn.execute(query).all()
    frame = pd.DataFrame(rows, columns=list(CUSTOMER_COLUMNS))
    frame = frame.rename(columns={"id": "customer_id"})
    frame["birth_year"] = frame["birth_year"].astype("Int64")
    frame["merged_into_id"] = frame["merged_into_id"].astype("Int64")
    for flag in ("do_not_contact", "let_go"):
        frame[flag] = frame[flag].fillna(False).astype(bool)
    return frame


def customer_ids(store: Store, external_ids: Iterable[str]) -> dict[str, int]:
    """Store ids of customers by external id; NotFoundError naming the first unknown one."""
    wanted = list(dict.fromkeys(external_ids))
    t = Customer.__table__
    with store.read() as conn:
        rows = conn.execute(
            select(t.c.external_id, t.c.id).where(t.c.external_id.in_(wanted))
        ).all()
    found = {e: i for e, i in rows}
    unknown = [e for e in wanted if e not in found]
    if unknown:
        raise NotFoundError(
            f"no customer with external id {unknown[0]!r}"
            + (f" (and {len(unknown) - 1} more)" if len(unknown) > 1 else "")
        )
    return found


def external_ids(store: Store, ids: Iterable[int]) -> dict[int, str]:
    """External ids of customers by store id."""
    wanted = list(set(ids))
    t = Customer.__table__
    out: dict[int, str] = {}
    with store.read() as conn:
        for start in range(0, len(wanted), 10_000):
            chunk = wanted[start : start + 10_000]
            out.update(conn.execute(select(t.c.id, t.c.external_id).where(t.c.id.in_(chunk))).all())
    return out


def excluded_ids(store: Store) -> set[int]:
    """Ids of confirmed competitors and of customers merged into another."""
    t = Customer.__table__
    query = select(t.c.id).where(
        (t.c.competitor_status == "confirmed") | t.c.merged_into_id.is_not(None)
    )
    with store.read() as conn:
        return set(conn.execute(query).scalars())


# --- segments


def save_segment(
    store: Store,
    name: str,
    expression: str,
    description: str | None,
    now: datetime,
    *,
    replace: bool = False,
) -> int:
    """Store a segment; ConflictError if the name is taken (unless ``replace``)."""
    t = Segment.__table__
    try:
        with store.write() as conn:
            found = conn.execute(select(t.c.id).where(t.c.name == name)).scalar()
            if found is not None:
                if not replace:
                    raise ConflictError(
                        f"a segment named {name!r} exists already; use --replace to change it"
                    )
                conn.execute(
                    update(t)
                    .where(t.c.id == found)
                    .values(expression=expression, description=description, updated_at=now)
                )
                return int(found)
            return conn.execute(
                insert(t)
                .values(
                    name=name,
                    expression=expression,
                    description=description,
                    created_at=now,
                    updated_at=now,
                )
                .returning(t.c.id)
            ).scalar_one()
    except IntegrityError as exc:
        raise ConflictError(f"a segment named {name!r} exists already") from exc


def list_segments(store: Store) -> list[dict[str, Any]]:
    """Every saved segment (name, expression, description, times), by name."""
    t = Segment.__table__
    with store.read() as conn:
        return [dict(r) for r in conn.execute(select(t).order_by(t.c.name)).mappings()]


def get_segment(store: Store, name: str) -> dict[str, Any]:
    """One saved segment by name; NotFoundError listing the known names otherwise."""
    t = Segment.__table__
    with store.read() as conn:
        row = conn.execute(select(t).where(t.c.name == name)).mappings().first()
    if row is None:
        known = ", ".join(s["name"] for s in list_segments(store)) or "none yet"
        raise NotFoundError(
            f"no segment named {name!r} (saved: {known}); create it with retain segments create"
        )
    return dict(row)


def delete_segment(store: Store, name: str) -> None:
    """Remove a saved segment; NotFoundError when there is none of that name."""
    t = Segment.__table__
    with store.write() as conn:
        if not conn.execute(delete(t).where(t.c.name == name)).rowcount:
            raise NotFoundError(f"no segment named {name!r}")


# --- duplicates: merge and undo


def _json(value: Any, column: str) -> Any:
    if column in _TIMES and value is not None:
        return value.isoformat()
    return value


def _unjson(value: Any, column: str) -> Any:
    if column in _TIMES and value is not None:
        return datetime.fromisoformat(value)
    return value


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def merge_customers(
    store: Store,
    survivor_id: int,
    merged_id: int,
    now: datetime,
    *,
    by: str | None = None,
    score: float | None = None,
    evidence: str | None = None,
) -> int:
    """Merge customer ``merged_id`` into ``survivor_id`` in one transaction; the audit id.

    Moves orders, interactions, feedback, cases and survey invitations (not an
    invitation to a survey the survivor was invited to already), fills the
    survivor's empty fields from the merged customer, keeps the stricter
    contact choice (do-not-contact, withdrawn e-mail consent) and marks the
    merged customer ``merged_into_id``. What changed is kept in the audit row
    so that :func:`undo_merge` puts everything back.
    """
    if survivor_id == merged_id:
        raise InvalidInputError("cannot merge a customer into himself; name two customers")
    t = Customer.__table__
    with store.write() as conn:
        rows = {
            r["id"]: dict(r)
            for r in conn.execute(select(t).where(t.c.id.in_([survivor_id, merged_id]))).mappings()
        }
        for cid in (survivor_id, merged_id):
            if cid not in rows:
                raise NotFoundError(f"no customer with id {cid}")
            if rows[cid]["merged_into_id"] is not None:
                raise ConflictError(
                    f"customer {rows[cid]['external_id']} was merged into another already; "
                    "undo that merge first"
                )
        keep, gone = rows[survivor_id], rows[merged_id]
        changes: dict[str, Any] = {}
        for column in FILLED:
            if _empty(keep[column]) and not _empty(gone[column]):
                changes[column] = gone[column]
        if gone["do_not_contact"] and not keep["do_not_contact"]:
            changes["do_not_contact"] = True
            changes["do_not_contact_reason"] = gone["do_not_contact_reason"]
        if gone["email_consent"] is False and keep["email_consent"] is True:
            changes["email_consent"] = False
            changes["consent_updated_at"] = gone["consent_updated_at"]
        changes["updated_at"] = now
        survivor_before = {c: _json(keep[c], c) for c in changes}
        moved: dict[str, list[int]] = {}
        for kind, table in MOVED.items():
            query = select(table.c.id).where(table.c.customer_id == merged_id)
            if kind == "survey_invitations":
                taken = select(table.c.survey_id).where(table.c.customer_id == survivor_id)
                query = query.where(table.c.survey_id.not_in(taken))
            ids = sorted(conn.execute(query).scalars())
            for start in range(0, len(ids), 5000):
                conn.execute(
                    update(table)
                    .where(table.c.id.in_(ids[start : start + 5000]))
                    .values(customer_id=survivor_id)
                )
            moved[kind] = ids
        conn.execute(update(t).where(t.c.id == survivor_id).values(**changes))
        conn.execute(
            update(t).where(t.c.id == merged_id).values(merged_into_id=survivor_id, updated_at=now)
        )
        before = {
            "survivor": survivor_before,
            "merged": {"updated_at": _json(gone["updated_at"], "updated_at")},
            "moved": moved,
        }
        m = CustomerMerge.__table__
        return conn.execute(
            insert(m)
            .values(
                survivor_id=survivor_id,
                merged_id=merged_id,
                merged_at=now,
                merged_by=by,
                score=score,
                evidence=evidence,
                before=before,
            )
            .returning(m.c.id)
        ).scalar_one()


def undo_merge(store: Store, merge_id: int, now: datetime) -> dict[str, Any]:
    """Put back what merge ``merge_id`` changed; the merge's audit row (now marked undone)."""
    m, t = CustomerMerge.__table__, Customer.__table__
    with store.write() as conn:
        row = conn.execute(select(m).where(m.c.id == merge_id)).mappings().first()
        if row is None:
            raise NotFoundError(
                f"no merge with id {merge_id}; retain dedupe undo --list shows them"
            )
        if row["undone_at"] is not None:
            raise ConflictError(f"merge {merge_id} was undone already at {row['undone_at']}")
        later = conn.execute(
            select(m.c.id).where(
                m.c.id > merge_id,
                m.c.undone_at.is_(None),
                m.c.survivor_id.in_([row["merged_id"], row["survivor_id"]])
                | m.c.merged_id.in_([row["merged_id"], row["survivor_id"]]),
            )
        ).scalar()
        if later is not None:
            raise ConflictError(
                f"merge {later} changed the same customers after merge {merge_id}; undo it first"
            )
        before = row["before"]
        for kind, ids in before["moved"].items():
            table = MOVED[kind]
            for start in range(0, len(ids), 5000):
                conn.execute(
                    update(table)
                    .where(table.c.id.in_(ids[start : start + 5000]))
                    .values(customer_id=row["merged_id"])
                )
        restore = {c: _unjson(v, c) for c, v in before["survivor"].items()}
        conn.execute(update(t).where(t.c.id == row["survivor_id"]).values(**restore))
        conn.execute(
            update(t)
            .where(t.c.id == row["merged_id"])
            .values(
                merged_into_id=None,
                updated_at=_unjson(before["merged"]["updated_at"], "updated_at"),
            )
        )
        conn.execute(update(m).where(m.c.id == merge_id).values(undone_at=now))
        out = dict(row)
        out["undone_at"] = now
        return out


def list_merges(store: Store) -> list[dict[str, Any]]:
    """The merge audit, newest first, with both customers' external ids."""
    m, t = CustomerMerge.__table__, Customer.__table__
    s, g = t.alias("s"), t.alias("g")
    query = (
        select(
            m.c.id,
            s.c.external_id.label("survivor"),
            g.c.external_id.label("merged"),
            m.c.merged_at,
            m.c.merged_by,
            m.c.score,
            m.c.evidence,
            m.c.undone_at,
        )
        .join(s, s.c.id == m.c.survivor_id)
        .join(g, g.c.id == m.c.merged_id)
        .order_by(m.c.id.desc())
    )
    with store.read() as conn:
        return [dict(r) for r in conn.execute(query).mappings()]


# --- competitors


def set_competitor_status(
    store: Store, ids: Iterable[int], status: str, now: datetime, *, only_from: str | None = None
) -> int:
    """Set ``competitor_status`` of customers (``only_from``: only those in that status now)."""
    if status not in ("none", "suspected", "confirmed"):
        raise InvalidInputError(
            f"competitor status is none, suspected or confirmed; not {status!r}"
        )
    wanted = sorted(set(ids))
    t = Customer.__table__
    done = 0
    with store.write() as conn:
        for start in range(0, len(wanted), 5000):
            query = update(t).where(t.c.id.in_(wanted[start : start + 5000]))
            if only_from is not None:
                query = query.where(t.c.competitor_status == only_from)
            done += conn.execute(query.values(competitor_status=status, updated_at=now)).rowcount
    return done
