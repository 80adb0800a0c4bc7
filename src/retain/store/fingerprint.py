"""A cheap fingerprint of the records an analysis reads: it changes when they change."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from retain.store.engine import Store
from retain.store.schema import Customer, Order


def records_fingerprint(store: Store) -> tuple[Any, ...]:
    """Count, largest id and latest ``updated_at`` of the orders and the customers (and the
    latest ``consent_updated_at``), read in one query.

    Any import, merge or edit that goes through :mod:`retain.store` adds a row
    or stamps ``updated_at``, so a result computed from the records can be
    reused while the fingerprint stays the same. A write that bypasses
    ``updated_at`` (an edit in another tool) is not seen.
    """
    parts = []
    for table, stamps in (
        (Order.__table__, ("updated_at",)),
        (Customer.__table__, ("updated_at", "consent_updated_at")),
    ):
        cols = [func.count(), func.max(table.c.id), *(func.max(table.c[s]) for s in stamps)]
        parts.extend(select(c).select_from(table).scalar_subquery() for c in cols)
    with store.read() as conn:
        return tuple(conn.execute(select(*parts)).one())
