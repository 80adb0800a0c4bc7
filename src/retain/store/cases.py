"""Reads and writes of service cases (``retain.service`` calls these).

:func:`transaction` gives a :class:`CaseTx`: every read and write of one
service call in one database transaction (``BEGIN IMMEDIATE`` on SQLite).
Case updates carry the ``version`` the caller read; an update of a case that
changed since then raises :class:`~retain.errors.ConflictError`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

import pandas as pd
from sqlalchemy import Connection, and_, case, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from retain.errors import ConflictError, NotFoundError
from retain.store.engine import Store
from retain.store.schema import (
    Case,
    CaseEvent,
    Customer,
    CustomerScore,
    Feedback,
    Order,
    Setting,
    User,
)

cases_t = Case.__table__
events_t = CaseEvent.__table__
users_t = User.__table__
customers_t = Customer.__table__
orders_t = Order.__table__
settings_t = Setting.__table__
scores_t = CustomerScore.__table__

OPEN_STATUSES = ("open", "pending")
COUNTED_ORDER_STATUSES = ("paid", "refunded", "partially_refunded")
#: the ``settings`` key of the cached value cut-offs of the priority rule
VALUE_CUTS_KEY = "cases.value_cuts"
VALUE_CUTS_MAX_AGE = timedelta(days=1)
CONFLICT = "changed by someone else since you read it; reload and try again"


class CaseTx:
    """The reads and writes of cases inside one transaction."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    # --- customers, users, value
    def customer(self, customer_id: int) -> dict[str, Any] | None:
        """id, external_id, name, owner_id, merged_into_id of a customer, or None."""
        row = self.conn.execute(
            select(
                customers_t.c.id,
                customers_t.c.external_id,
                customers_t.c.name,
                customers_t.c.owner_id,
                customers_t.c.merged_into_id,
            ).where(customers_t.c.id == customer_id)
        ).first()
        return dict(row._mapping) if row else None

    def customer_by_ref(self, ref: str) -> dict[str, Any] | None:
        """A customer by external id, else by numeric id."""
        row = self.conn.execute(
            select(customers_t.c.id).where(customers_t.c.external_id == ref)
        ).first()
        if row:
            return self.customer(row.id)
        return self.customer(int(ref)) if ref.isdigit() else None

    def feedback_exists(self, feedback_id: int) -> bool:
        """Whether a feedback record with this id exists."""
        fb = Feedback.__table__
        return self.conn.execute(select(fb.c.id).where(fb.c.id == feedback_id)).first() is not None

    def customer_value(self, customer_id: int) -> dict[str, Any]:
        """Net revenue (gross minus refunds, minor units), counted orders, main currency."""
        net = orders_t.c.amount_minor - func.coalesce(orders_t.c.refunded_minor, 0)
        orders, revenue = self.conn.execute(
            select(func.count(), func.coalesce(func.sum(net), 0)).where(
                orders_t.c.status.in_(COUNTED_ORDER_STATUSES), orders_t.c.customer_id == customer_id
            )
        ).one()
        currency = self.conn.execute(
            select(orders_t.c.currency)
            .where(orders_t.c.customer_id == customer_id)
            .group_by(orders_t.c.currency)
            .order_by(func.count().desc(), orders_t.c.currency)
            .limit(1)
        ).scalar()
        return {"revenue_minor": int(revenue), "orders": int(orders), "currency": currency}

    def buyer_revenues(self) -> list[int]:
        """Net revenue (minor units) of every customer with a counted order: one full scan.

        On SQLite the scan reads the table in order (``NOT INDEXED``): going
        through the customer index is 4-5 times slower for a whole-table sum.
        """
        statuses = ", ".join(f"'{s}'" for s in COUNTED_ORDER_STATUSES)
        sql = (
            "SELECT SUM(amount_minor - COALESCE(refunded_minor, 0)) FROM orders{hint} "
            f"WHERE status IN ({statuses}) GROUP BY customer_id"
        ).format(hint=" NOT INDEXED" if self.conn.dialect.name == "sqlite" else "")
        return [int(v) for v in self.conn.exec_driver_sql(sql).scalars()]

    def _orders_state(self) -> int:
        """The newest order id: read from the primary key, without a scan."""
        return int(self.conn.execute(select(func.max(orders_t.c.id))).scalar() or 0)

    def customer_score(self, customer_id: int) -> dict[str, Any] | None:
        """The customer's newest stored CLV score (``model``, ``clv_minor``, ``p_alive``,
        ``currency``, ``fitted_at``), or None when no model has scored them."""
        row = self.conn.execute(
            select(
                scores_t.c.model,
                scores_t.c.clv_minor,
                scores_t.c.p_alive,
                scores_t.c.currency,
                scores_t.c.fitted_at,
            )
            .where(scores_t.c.customer_id == customer_id)
            .order_by(scores_t.c.fitted_at.desc(), scores_t.c.model)
            .limit(1)
        ).first()
        return dict(row._mapping) if row else None

    def model_clvs(self, model: str) -> list[int]:
        """CLV (minor units) of every customer scored by ``model``."""
        return [
            int(v)
            for v in self.conn.execute(
                select(scores_t.c.clv_minor).where(scores_t.c.model == model)
            ).scalars()
        ]

    def cached_value_cuts(self, now: datetime, basis: str) -> dict[str, Any] | None:
        """The value cut-offs saved by :meth:`save_value_cuts` for ``basis``, if still fresh.

        ``basis`` is ``revenue`` or ``clv:MODEL:FITTED_AT``. Fresh: the same
        basis, saved less than a day before ``now``, and for revenue no order
        added since (the newest order id is unchanged; changed amounts of
        existing orders show after a day at most).
        """
        row = self.conn.execute(
            select(settings_t.c.value, settings_t.c.updated_at).where(
                settings_t.c.key == VALUE_CUTS_KEY
            )
        ).first()
        if row is None or not isinstance(row.value, dict) or row.value.get("basis") != basis:
            return None
        age = now - row.updated_at
        if not timedelta(0) <= age < VALUE_CUTS_MAX_AGE:
            return None
        if basis == "revenue" and row.value.get("orders_state") != self._orders_state():
            return None
        return row.value

    def save_value_cuts(self, cuts: dict[str, Any], now: datetime, basis: str) -> None:
        """Keep value cut-offs (a JSON-able dict) in ``settings`` for :meth:`cached_value_cuts`."""
        value = {**cuts, "basis": basis, "orders_state": self._orders_state()}
        done = self.conn.execute(
            update(settings_t)
            .where(settings_t.c.key == VALUE_CUTS_KEY)
            .values(value=value, updated_at=now)
        ).rowcount
        if not done:
            try:
                with self.conn.begin_nested():
                    self.conn.execute(
                        insert(settings_t).values(key=VALUE_CUTS_KEY, value=value, updated_at=now)
                    )
            except IntegrityError:
                pass  # saved by a concurrent writer just now

    def user(self, user_id: int | None) -> dict[str, Any] | None:
        """id, username, role, manager_id, is_active of a user, or None."""
        if user_id is None:
            return None
        row = self.conn.execute(_user_select().where(users_t.c.id == user_id)).first()
        return dict(row._mapping) if row else None

    def user_by_name(self, username: str) -> dict[str, Any] | None:
        """A user by username, or None."""
        row = self.conn.execute(_user_select().where(users_t.c.username == username)).first()
        return dict(row._mapping) if row else None

    def admins(self) -> list[dict[str, Any]]:
        """Active admins, oldest first (who hears of escalations when no manager is set)."""
        rows = self.conn.execute(
            _user_select()
            .where(users_t.c.role == "admin", users_t.c.is_active.is_(True))
            .order_by(users_t.c.id)
        )
        return [dict(r._mapping) for r in rows]

    def agent_loads(self) -> list[dict[str, Any]]:
        """Active agents with ``load`` (open and pending cases they own) and ``last_case_id``."""
        load = (
            select(
                cases_t.c.owner_id,
                func.sum(case((cases_t.c.status.in_(OPEN_STATUSES), 1), else_=0)).label("load"),
                func.max(cases_t.c.id).label("last_case_id"),
            )
            .group_by(cases_t.c.owner_id)
            .subquery()
        )
        rows = self.conn.execute(
            select(
                users_t.c.id,
                users_t.c.username,
                func.coalesce(load.c.load, 0).label("load"),
                load.c.last_case_id,
            )
            .select_from(users_t.outerjoin(load, load.c.owner_id == users_t.c.id))
            .where(users_t.c.role == "agent", users_t.c.is_active.is_(True))
            .order_by(users_t.c.id)
        )
        return [dict(r._mapping) for r in rows]

    # --- cases
    def case(self, case_id: int) -> dict[str, Any]:
        """Every column of a case, or NotFoundError."""
        row = self.conn.execute(select(cases_t).where(cases_t.c.id == case_id)).first()
        if row is None:
            raise NotFoundError(f"case {case_id} does not exist; `retain cases list` shows them")
        return dict(row._mapping)

    def case_id_for_feedback(self, feedback_id: int) -> int | None:
        """The case opened from a feedback record, if any."""
        return self.conn.execute(
            select(cases_t.c.id).where(cases_t.c.feedback_id == feedback_id)
        ).scalar()

    def insert_case(self, values: dict[str, Any]) -> int | None:
        """Insert a case; None when its ``feedback_id`` already has a case (a concurrent open)."""
        try:
            with self.conn.begin_nested():
                return int(
                    self.conn.execute(insert(cases_t).values(**values)).inserted_primary_key[0]
                )
        except IntegrityError:
            if values.get("feedback_id") is not None and self.case_id_for_feedback(
                values["feedback_id"]
            ):
                return None
            raise

    def update_case(self, case_id: int, version: int, values: dict[str, Any]) -> int:
        """Apply ``values`` if the case is still at ``version``; returns the new version."""
        result = self.conn.execute(
            update(cases_t)
            .where(cases_t.c.id == case_id, cases_t.c.version == version)
            .values(**values, version=cases_t.c.version + 1)
        )
        if result.rowcount != 1:
            current = self.case(case_id)  # NotFoundError when gone
            raise conflict(case_id, version, current["version"])
        return version + 1

    def add_event(
        self,
        case_id: int,
        at: datetime,
        actor: str | None,
        kind: str,
        *,
        field: str | None = None,
        old: Any = None,
        new: Any = None,
        body: str | None = None,
        internal: bool = False,
    ) -> None:
        """Append one audit event (never updated or deleted)."""
        self.conn.execute(
            insert(events_t).values(
                case_id=case_id,
                at=at,
                actor=actor,
                kind=kind,
                field=field,
                old_value=None if old is None else str(old),
                new_value=None if new is None else str(new),
                body=body,
                internal=internal,
            )
        )

    def add_events(self, events: list[dict[str, Any]]) -> None:
        """Append many audit events at once (dicts with the arguments of :meth:`add_event`)."""
        if not events:
            return
        rows = [
            {
                "case_id": e["case_id"],
                "at": e["at"],
                "actor": e.get("actor"),
                "kind": e["kind"],
                "field": e.get("field"),
                "old_value": None if e.get("old") is None else str(e["old"]),
                "new_value": None if e.get("new") is None else str(e["new"]),
                "body": e.get("body"),
                "internal": bool(e.get("internal", False)),
            }
            for e in events
        ]
        self.conn.execute(insert(events_t), rows)

    def events(self, case_id: int, include_internal: bool = True) -> list[dict[str, Any]]:
        """The audit trail of a case, oldest first."""
        query = select(events_t).where(events_t.c.case_id == case_id)
        if not include_internal:
            query = query.where(events_t.c.internal.is_(False))
        rows = self.conn.execute(query.order_by(events_t.c.at, events_t.c.id))
        return [dict(r._mapping) for r in rows]

    def recorded_breaches(self) -> set[tuple[int, str, str]]:
        """(case id, target, due time as ISO text) of every breach recorded on a live case."""
        live = select(cases_t.c.id).where(cases_t.c.status.in_(OPEN_STATUSES))
        rows = self.conn.execute(
            select(events_t.c.case_id, events_t.c.field, events_t.c.old_value).where(
                events_t.c.kind == "sla_breach", events_t.c.case_id.in_(live)
            )
        )
        return {(r.case_id, r.field, r.old_value) for r in rows}

    def overdue_cases(self, now: datetime) -> list[dict[str, Any]]:
        """Open and pending cases with a due time before ``now`` that was not met.

        Rows carry every case column and ``customer`` (the external id). The
        case rows stay locked until the transaction ends (PostgreSQL ``FOR
        UPDATE``; SQLite write transactions are exclusive anyway), so two
        checks running at once cannot both record the same breach.
        """
        c = cases_t.c
        rows = self.conn.execute(
            select(cases_t, customers_t.c.external_id.label("customer"))
            .join(customers_t, customers_t.c.id == c.customer_id)
            .where(
                c.status.in_(OPEN_STATUSES),
                or_(
                    and_(c.first_responded_at.is_(None), c.first_response_due_at < now),
                    c.resolution_due_at < now,
                ),
            )
            .order_by(c.id)
            .with_for_update(of=cases_t)
        )
        return [dict(r._mapping) for r in rows]


def conflict(case_id: int, had: int, now_at: int) -> ConflictError:
    """The error for an update of case ``case_id`` made from a version that is not current."""
    return ConflictError(
        f"case {case_id} was {CONFLICT} (you had version {had}, it is now at version {now_at})"
    )


def _user_select() -> Any:
    return select(
        users_t.c.id,
        users_t.c.username,
        users_t.c.role,
        users_t.c.manager_id,
        users_t.c.is_active,
    )


@contextmanager
def transaction(store: Store) -> Iterator[CaseTx]:
    """A :class:`CaseTx` in one write transaction: committed when the block ends."""
    with store.write() as conn:
        yield CaseTx(conn)


@contextmanager
def reading(store: Store) -> Iterator[CaseTx]:
    """A :class:`CaseTx` in a read transaction."""
    with store.read() as conn:
        yield CaseTx(conn)


def list_cases(
    store: Store,
    *,
    statuses: Sequence[str] | None = None,
    owner: str | None = None,
    customer_id: int | None = None,
    limit: int | None = None,
) -> pd.DataFrame:
    """Cases with their customer's external id and owner's username, newest first."""
    c = cases_t.c
    owner_u = users_t.alias("owner")
    query = (
        select(
            c.id,
            c.customer_id,
            customers_t.c.external_id.label("customer"),
            c.source,
            c.subject,
            c.category,
            c.priority,
            c.status,
            owner_u.c.username.label("owner"),
            c.opened_at,
            c.first_response_due_at,
            c.first_responded_at,
            c.resolution_due_at,
            c.resolved_at,
            c.closed_at,
            c.paused_since,
            c.reopen_count,
            c.version,
        )
        .select_from(
            cases_t.join(customers_t, customers_t.c.id == c.customer_id).outerjoin(
                owner_u, owner_u.c.id == c.owner_id
            )
        )
        .order_by(c.opened_at.desc(), c.id.desc())
    )
    if statuses:
        query = query.where(c.status.in_(list(statuses)))
    if owner:
        query = query.where(owner_u.c.username == owner)
    if customer_id is not None:
        query = query.where(c.customer_id == customer_id)
    if limit:
        query = query.limit(limit)
    with store.read() as conn:
        rows = conn.execute(query).mappings().all()
    return pd.DataFrame(
        [dict(r) for r in rows], columns=[col.name for col in query.selected_columns]
    )


def cases_frame(store: Store) -> pd.DataFrame:
    """Every case (for metrics): as :func:`list_cases`, oldest first."""
    return list_cases(store).iloc[::-1].reset_index(drop=True)


def order_times(store: Store) -> pd.DataFrame:
    """``customer_id`` and ``ordered_at`` (UTC) of every counted (paid or refunded) order.

    Read in bulk through ADBC (:func:`retain.store.frames.read_arrow`): a million
    orders in about a second, where row-by-row reading takes close to a minute.
    """
    from retain.store.frames import read_arrow

    table = read_arrow(store, "orders").select(["customer_id", "ordered_at", "status"])
    frame = table.to_pandas()
    frame = frame[frame["status"].isin(COUNTED_ORDER_STATUSES)]
    frame["ordered_at"] = pd.to_datetime(frame["ordered_at"], utc=True)
    return frame[["customer_id", "ordered_at"]].reset_index(drop=True)


def customer_ids(store: Store) -> list[int]:
    """Ids of every customer not merged into another."""
    with store.read() as conn:
        return list(
            conn.execute(
                select(customers_t.c.id).where(customers_t.c.merged_into_id.is_(None))
            ).scalars()
        )
