"""Helpers of the voice tests: customers and orders written straight to the store."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from retain.store import Store
from retain.store.schema import Customer, Order

NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
SECRET = "test-secret-key-0123456789abcdef"


def add_customers(store: Store, n: int, **overrides) -> list[int]:
    """Insert ``n`` customers c1..cn (e-mail cK@example.com); their ids in order."""
    with store.session() as s:
        rows = []
        for k in range(1, n + 1):
            values = {
                "external_id": f"c{k}",
                "name": f"Customer {k}",
                "email": f"c{k}@example.com",
                "created_at": NOW,
                "updated_at": NOW,
            }
            values.update({key: v(k) if callable(v) else v for key, v in overrides.items()})
            rows.append(Customer(**values))
        s.add_all(rows)
        s.flush()
        return [c.id for c in rows]


def add_orders(store: Store, orders: list[tuple[int, datetime, int, str | None]]) -> None:
    """Insert orders (customer_id, ordered_at, amount_minor, product_category)."""
    with store.session() as s:
        s.add_all(
            Order(
                external_id=f"o{i}",
                customer_id=cid,
                ordered_at=when,
                amount_minor=amount,
                currency="EUR",
                product_category=cat,
                created_at=NOW,
                updated_at=NOW,
            )
            for i, (cid, when, amount, cat) in enumerate(orders)
        )


@pytest.fixture
def now() -> datetime:
    return NOW


@pytest.fixture
def secret() -> str:
    return SECRET
