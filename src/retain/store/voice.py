"""Reads and writes of the voice-of-the-customer capability: surveys, invitations, answers.

Only this module speaks SQL for ``retain.voice``; it returns plain dicts,
dataclass-free rows and pandas frames.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

import pandas as pd
from sqlalchemy import and_, func, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from retain.errors import ConflictError, NotFoundError
from retain.store.engine import Store
from retain.store.schema import Customer, Feedback, Order, Survey, SurveyInvitation

SURVEY_COLUMNS = (
    "id",
    "name",
    "kind",
    "question",
    "follow_up_question",
    "categories",
    "status",
    "open_link_key",
    "opens_at",
    "closes_at",
    "created_at",
)


def create_survey(store: Store, **values: Any) -> int:
    """Insert a survey (columns of ``surveys``); a ConflictError if the name is taken."""
    try:
        with store.write() as conn:
            return conn.execute(
                insert(Survey.__table__).returning(Survey.__table__.c.id), values
            ).scalar_one()
    except IntegrityError as exc:
        raise ConflictError(
            f"a survey named {values.get('name')!r} exists already; choose another name"
        ) from exc


def get_survey(store: Store, ref: int | str) -> dict[str, Any]:
    """The survey with id ``ref`` (an int or digits) or name ``ref``; NotFoundError otherwise."""
    t = Survey.__table__
    cond = t.c.name == ref
    if isinstance(ref, int) or (isinstance(ref, str) and ref.isdigit()):
        cond = or_(t.c.id == int(ref), t.c.name == str(ref))
    with store.read() as conn:
        row = conn.execute(select(t).where(cond).order_by(t.c.id)).mappings().first()
    if row is None:
        raise NotFoundError(f"no survey {ref!r}; `retain surveys list` shows the surveys")
    return dict(row)


def survey_by_open_key(store: Store, key: str) -> dict[str, Any] | None:
    """The survey whose anonymous open link key is ``key``, or None."""
    t = Survey.__table__
    with store.read() as conn:
        row = conn.execute(select(t).where(t.c.open_link_key == key)).mappings().first()
    return None if row is None else dict(row)


def survey_overview(store: Store) -> pd.DataFrame:
    """One row per survey with invitations sent, invitations answered and answers held."""
    s, i, f = Survey.__table__, SurveyInvitation.__table__, Feedback.__table__
    inv = (
        select(
            i.c.survey_id,
            func.count().label("invited"),
            func.count(i.c.answered_at).label("answered"),
        )
        .group_by(i.c.survey_id)
        .subquery()
    )
    ans = (
        select(f.c.survey_id, func.count().label("responses"))
        .where(f.c.survey_id.is_not(None))
        .group_by(f.c.survey_id)
        .subquery()
    )
    q = (
        select(
            s.c.id,
            s.c.name,
            s.c.kind,
            s.c.status,
            s.c.created_at,
            s.c.closes_at,
            (s.c.open_link_key.is_not(None)).label("open_link"),
            func.coalesce(inv.c.invited, 0).label("invited"),
            func.coalesce(inv.c.answered, 0).label("answered"),
            func.coalesce(ans.c.responses, 0).label("responses"),
        )
        .outerjoin(inv, inv.c.survey_id == s.c.id)
        .outerjoin(ans, ans.c.survey_id == s.c.id)
        .order_by(s.c.id)
    )
    with store.read() as conn:
        rows = conn.execute(q).mappings().all()
    cols = [
        "id",
        "name",
        "kind",
        "status",
        "created_at",
        "closes_at",
        "open_link",
        "invited",
        "answered",
        "responses",
    ]
    return pd.DataFrame([dict(r) for r in rows], columns=cols)


def invitation_candidates(
    store: Store, survey_id: int, *, contacted_since: datetime, customer_ids: Sequence[int] | None
) -> pd.DataFrame:
    """Customers who may be invited to ``survey_id`` now, sorted by id.

    Left out: do-not-contact, e-mail consent withdrawn, merged duplicates,
    confirmed competitors, customers already invited to this survey, and those
    invited to any survey or who answered one since ``contacted_since``.
    """
    c, i, f = Customer.__table__, SurveyInvitation.__table__, Feedback.__table__
    recent_inv = select(i.c.customer_id).where(
        or_(i.c.survey_id == survey_id, i.c.invited_at > contacted_since)
    )
    recent_answer = select(f.c.customer_id).where(
        f.c.customer_id.is_not(None),
        f.c.survey_id.is_not(None),
        f.c.responded_at > contacted_since,
    )
    q = select(c.c.id.label("customer_id"), c.c.email, c.c.name, c.c.external_id).where(
        c.c.do_not_contact.is_(False),
        or_(c.c.email_consent.is_(None), c.c.email_consent.is_(True)),
        c.c.merged_into_id.is_(None),
        c.c.competitor_status != "confirmed",
        c.c.id.not_in(recent_inv),
        c.c.id.not_in(recent_answer),
    )
    # a segment can hold more ids than PostgreSQL takes parameters (65,535): chunks of 10,000
    wanted = None if customer_ids is None else sorted({int(x) for x in customer_ids})
    parts = (
        [None]
        if wanted is None
        else [wanted[i : i + 10_000] for i in range(0, len(wanted), 10_000)]
    )
    rows = []
    with store.read() as conn:
        for part in parts:
            chunk = q if part is None else q.where(c.c.id.in_(part))
            rows += conn.execute(chunk.order_by(c.c.id)).mappings().all()
    return pd.DataFrame(
        [dict(r) for r in rows], columns=["customer_id", "email", "name", "external_id"]
    )


def insert_invitations(store: Store, rows: list[dict[str, Any]]) -> list[int]:
    """Insert invitation rows (columns of ``survey_invitations``); their ids in order."""
    if not rows:
        return []
    t = SurveyInvitation.__table__
    try:
        return _insert_invitations(store, t, rows)
    except IntegrityError as exc:
        raise ConflictError(
            "some of these customers were invited to this survey at the same time by "
            "another run; run the invitation again (already invited customers are skipped)"
        ) from exc


def _insert_invitations(store: Store, t: Any, rows: list[dict[str, Any]]) -> list[int]:
    with store.write() as conn:
        for start in range(0, len(rows), 5000):
            chunk = rows[start : start + 5000]
            conn.execute(insert(t), chunk)
        nonces = [r["nonce"] for r in rows]
        found: dict[str, int] = {}
        for start in range(0, len(nonces), 5000):
            part = nonces[start : start + 5000]
            found.update(conn.execute(select(t.c.nonce, t.c.id).where(t.c.nonce.in_(part))).all())
    return [found[n] for n in nonces]


def invitations(store: Store, survey_id: int) -> pd.DataFrame:
    """The invitations of a survey with the customer's e-mail and name."""
    i, c = SurveyInvitation.__table__, Customer.__table__
    q = (
        select(
            i.c.id,
            i.c.survey_id,
            i.c.customer_id,
            c.c.email,
            c.c.name,
            i.c.nonce,
            i.c.invited_at,
            i.c.expires_at,
            i.c.sent_at,
            i.c.answered_at,
            i.c.channel,
        )
        .join(c, c.c.id == i.c.customer_id)
        .where(i.c.survey_id == survey_id)
        .order_by(i.c.id)
    )
    with store.read() as conn:
        rows = conn.execute(q).mappings().all()
    return pd.DataFrame([dict(r) for r in rows], columns=list(q.selected_columns.keys()))


def invitation_by_nonce(store: Store, nonce: str) -> dict[str, Any] | None:
    """The invitation with ``nonce``, with its answer (``feedback_*`` keys) if any."""
    i, f = SurveyInvitation.__table__, Feedback.__table__
    q = (
        select(
            i,
            f.c.id.label("feedback_id"),
            f.c.score.label("feedback_score"),
            f.c.comment.label("feedback_comment"),
            f.c.category_scores.label("feedback_category_scores"),
            f.c.follow_up_answer.label("feedback_follow_up_answer"),
        )
        .outerjoin(f, f.c.invitation_id == i.c.id)
        .where(i.c.nonce == nonce)
    )
    with store.read() as conn:
        row = conn.execute(q).mappings().first()
    return None if row is None else dict(row)


def _upsert(store: Store) -> Any:
    return postgresql.insert if store.dialect == "postgresql" else sqlite.insert


def save_invited_answer(
    store: Store, *, invitation_id: int, values: dict[str, Any], now: datetime
) -> int:
    """Insert or update the one answer of an invitation; mark it answered. Returns its id."""
    f, i = Feedback.__table__, SurveyInvitation.__table__
    row = {**values, "invitation_id": invitation_id, "created_at": now, "updated_at": now}
    changing = {k: v for k, v in row.items() if k not in ("created_at", "external_id")}
    stmt = _upsert(store)(f).values(row)
    stmt = stmt.on_conflict_do_update(index_elements=[f.c.invitation_id], set_=changing)
    with store.write() as conn:
        # Marking the invitation first takes its row lock, so two simultaneous answers
        # of one link run one after the other: on PostgreSQL a concurrent insert would
        # otherwise trip the unique external_id, which ON CONFLICT does not arbitrate.
        conn.execute(update(i).where(i.c.id == invitation_id).values(answered_at=now))
        fid = conn.execute(stmt.returning(f.c.id)).scalar_one()
    return int(fid)


def insert_feedback(store: Store, values: dict[str, Any], *, now: datetime) -> int:
    """Insert one feedback row (an open-link answer); returns its id."""
    f = Feedback.__table__
    with store.write() as conn:
        return int(
            conn.execute(
                insert(f).returning(f.c.id), {**values, "created_at": now, "updated_at": now}
            ).scalar_one()
        )


FEEDBACK_COLUMNS = (
    "id",
    "customer_id",
    "survey_id",
    "invitation_id",
    "source",
    "kind",
    "score",
    "score_min",
    "score_max",
    "nps_score",
    "category",
    "category_scores",
    "comment",
    "follow_up_answer",
    "responded_at",
    "import_batch_id",
)


def feedback_frame(
    store: Store,
    *,
    survey_id: int | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    ids: Iterable[int] | None = None,
    import_batch_id: int | None = None,
) -> pd.DataFrame:
    """Feedback rows (answers and reviews) as a frame, ``score`` as float, sorted by time."""
    f = Feedback.__table__
    q = select(*(f.c[n] for n in FEEDBACK_COLUMNS))
    conds = []
    if survey_id is not None:
        conds.append(f.c.survey_id == survey_id)
    if since is not None:
        conds.append(f.c.responded_at >= since)
    if until is not None:
        conds.append(f.c.responded_at < until)
    if ids is not None:
        conds.append(f.c.id.in_(list(ids)))
    if import_batch_id is not None:
        conds.append(f.c.import_batch_id == import_batch_id)
    if conds:
        q = q.where(and_(*conds))
    with store.read() as conn:
        rows = conn.execute(q.order_by(f.c.responded_at, f.c.id)).mappings().all()
    frame = pd.DataFrame([dict(r) for r in rows], columns=list(FEEDBACK_COLUMNS))
    frame["score"] = frame["score"].map(
        lambda v: float(v) if isinstance(v, Decimal | int | float) else v
    )
    frame["responded_at"] = pd.to_datetime(frame["responded_at"], utc=True)
    for col in ("customer_id", "survey_id", "invitation_id", "nps_score", "import_batch_id"):
        frame[col] = frame[col].astype("Int64")
    return frame


def invitation_frame(store: Store) -> pd.DataFrame:
    """Every invitation: ``customer_id``, ``survey_id``, ``invited_at``, ``answered_at``."""
    i = SurveyInvitation.__table__
    q = select(i.c.customer_id, i.c.survey_id, i.c.invited_at, i.c.answered_at)
    with store.read() as conn:
        rows = conn.execute(q).mappings().all()
    frame = pd.DataFrame(
        [dict(r) for r in rows], columns=["customer_id", "survey_id", "invited_at", "answered_at"]
    )
    for col in ("invited_at", "answered_at"):
        frame[col] = pd.to_datetime(frame[col], utc=True)
    return frame


def order_frame(store: Store, customer_ids: Iterable[int] | None = None) -> pd.DataFrame:
    """Orders (not cancelled): ``customer_id``, ``ordered_at``, ``amount_minor``, category."""
    o = Order.__table__
    q = select(o.c.customer_id, o.c.ordered_at, o.c.amount_minor, o.c.product_category).where(
        o.c.status != "cancelled"
    )
    with store.read() as conn:
        if customer_ids is None:
            rows = conn.execute(q).mappings().all()
        else:
            ids, rows = list(customer_ids), []
            for start in range(0, len(ids), 5000):
                part = ids[start : start + 5000]
                rows += conn.execute(q.where(o.c.customer_id.in_(part))).mappings().all()
    frame = pd.DataFrame(
        [dict(r) for r in rows],
        columns=["customer_id", "ordered_at", "amount_minor", "product_category"],
    )
    frame["ordered_at"] = pd.to_datetime(frame["ordered_at"], utc=True)
    return frame


def customer_count(store: Store) -> int:
    """Customers not merged into another (the population an NPS can speak for)."""
    c = Customer.__table__
    with store.read() as conn:
        return int(
            conn.execute(
                select(func.count()).select_from(c).where(c.c.merged_into_id.is_(None))
            ).scalar_one()
        )


def customer_labels(store: Store, ids: Iterable[int]) -> pd.DataFrame:
    """``customer_id``, ``external_id``, ``email``, ``name`` of the given customers."""
    c = Customer.__table__
    ids = list(ids)
    rows: list[Any] = []
    with store.read() as conn:
        for start in range(0, len(ids), 5000):
            part = ids[start : start + 5000]
            q = select(c.c.id.label("customer_id"), c.c.external_id, c.c.email, c.c.name)
            rows += conn.execute(q.where(c.c.id.in_(part))).mappings().all()
    return pd.DataFrame(
        [dict(r) for r in rows], columns=["customer_id", "external_id", "email", "name"]
    )


def survey_names(store: Store) -> dict[int, str]:
    """{survey id: name} of every survey."""
    t = Survey.__table__
    with store.read() as conn:
        return {int(i): n for i, n in conn.execute(select(t.c.id, t.c.name)).all()}


def customer_ids_by_external(store: Store, external_ids: Sequence[str]) -> dict[str, int]:
    """{external id: customer id} of the customers that exist."""
    c = Customer.__table__
    ids = list(dict.fromkeys(external_ids))
    found: dict[str, int] = {}
    with store.read() as conn:
        for start in range(0, len(ids), 5000):
            part = ids[start : start + 5000]
            q = select(c.c.external_id, c.c.id).where(c.c.external_id.in_(part))
            found.update({str(e): int(i) for e, i in conn.execute(q).all()})
    return found


def mark_sent(store: Store, invitation_ids: Sequence[int], *, now: datetime, channel: str) -> int:
    """Set ``sent_at`` and ``channel`` of invitations not marked sent yet; how many changed."""
    i = SurveyInvitation.__table__
    ids, changed = list(invitation_ids), 0
    with store.write() as conn:
        for start in range(0, len(ids), 5000):
            part = ids[start : start + 5000]
            changed += conn.execute(
                update(i)
                .where(i.c.id.in_(part), i.c.sent_at.is_(None))
                .values(sent_at=now, channel=channel)
            ).rowcount
    return changed


def cases_for_feedback(store: Store, feedback_ids: Sequence[int]) -> dict[int, int]:
    """{feedback id: case id} of the given feedback that has a case already."""
    from retain.store.schema import Case

    c = Case.__table__
    ids, found = list(feedback_ids), {}
    with store.read() as conn:
        for start in range(0, len(ids), 5000):
            part = ids[start : start + 5000]
            q = select(c.c.feedback_id, c.c.id).where(c.c.feedback_id.in_(part))
            found.update({int(f): int(i) for f, i in conn.execute(q).all()})
    return found
