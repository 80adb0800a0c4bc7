"""Helpers for service tests: users, customers and orders written straight to the store."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

from retain.store.schema import Customer, Feedback, Order, User

#: ids for external ids, unique across Seed instances of one test run
_NUMBERS = itertools.count(1)

T0 = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)  # a Monday


class Seed:
    """Writes users, customers, orders and feedback; returns their ids."""

    def __init__(self, store):
        self.store = store

    def _next(self) -> int:
        return next(_NUMBERS)

    def user(self, username, role="agent", manager_id=None, is_active=True) -> int:
        with self.store.session() as s:
            u = User(
                username=username,
                role=role,
                manager_id=manager_id,
                is_active=is_active,
                created_at=T0,
            )
            s.add(u)
            s.flush()
            s.commit()
            return u.id

    def customer(self, ref=None, owner_id=None, orders=(), currency="EUR") -> int:
        """A customer with ``orders``: a list of (amount_minor, datetime) pairs."""
        ref = ref or f"C{self._next()}"
        with self.store.session() as s:
            c = Customer(external_id=ref, name=ref, owner_id=owner_id, created_at=T0, updated_at=T0)
            s.add(c)
            s.flush()
            for amount, at in orders:
                s.add(
                    Order(
                        external_id=f"O{self._next()}",
                        customer_id=c.id,
                        ordered_at=at,
                        amount_minor=amount,
                        currency=currency,
                        created_at=T0,
                        updated_at=T0,
                    )
                )
            s.commit()
            return c.id

    def feedback(self, customer_id, score=2) -> int:
        with self.store.session() as s:
            f = Feedback(
                external_id=f"F{self._next()}",
                customer_id=customer_id,
                score=score,
                nps_score=score,
                responded_at=T0,
                created_at=T0,
                updated_at=T0,
            )
            s.add(f)
            s.flush()
            s.commit()
            return f.id


#: escalations received by :func:`remember` (a hook named in settings by tests)
REMEMBERED: list = []


def remember(escalation) -> None:
    """A notification hook for tests: keeps what it is told."""
    REMEMBERED.append(escalation)
