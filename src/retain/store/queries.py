"""Small read queries the interfaces share."""

from __future__ import annotations

from sqlalchemy import func, select

from retain.store.bulk import TARGETS
from retain.store.engine import Store
from retain.store.schema import Case, ImportBatch, User


def record_counts(store: Store) -> dict[str, int]:
    """Rows per record kind: customers, orders, interactions, feedback, cases, users, imports."""
    tables = {
        **TARGETS,
        "cases": Case.__table__,
        "users": User.__table__,
        "import_batches": ImportBatch.__table__,
    }
    with store.read() as conn:
        return {
            name: conn.execute(select(func.count()).select_from(t)).scalar_one()
            for name, t in tables.items()
        }
