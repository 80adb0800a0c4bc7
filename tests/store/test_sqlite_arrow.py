"""Bulk reads of a SQLite store into Arrow: same result either path, no lost writes."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from retain.store import sqlite_arrow
from retain.store.frames import read_arrow
from retain.store.schema import Customer, Order

NOW = datetime(2025, 6, 1, 12, tzinfo=UTC)


def _add(store, n: int, start: int = 0) -> None:
    with store.session() as s:
        for i in range(start, start + n):
            c = Customer(
                external_id=f"C{i}", created_at=NOW, updated_at=NOW, email_consent=i % 2 == 0
            )
            s.add(c)
            s.flush()
            s.add(
                Order(
                    external_id=f"O{i}",
                    customer_id=c.id,
                    ordered_at=NOW,
                    amount_minor=100 + i,
                    currency="EUR",
                    created_at=NOW,
                    updated_at=NOW,
                )
            )


@pytest.mark.parametrize("child_above", [0, 10**9], ids=["child-process", "in-process"])
def test_writes_after_a_bulk_read_are_kept(sqlite_store, monkeypatch, child_above):
    monkeypatch.setattr(sqlite_arrow, "CHILD_ABOVE_ROWS", child_above)
    _add(sqlite_store, 5)
    wal = Path(sqlite_store.engine.url.database + "-wal")
    with sqlite_store.session(write=False):  # a pooled connection stays open during the read
        assert wal.exists()
        orders = read_arrow(sqlite_store, "orders")
        # a second SQLite library closing in this process would delete the WAL here
        assert wal.exists()
    assert orders.num_rows == 5
    _add(sqlite_store, 3, start=5)  # written through the pool after the read
    sqlite_store.dispose()
    fresh = sqlite3.connect(sqlite_store.engine.url.database)
    assert fresh.execute("SELECT count(*) FROM orders").fetchone() == (8,)
    fresh.close()


def test_both_paths_give_the_same_table(sqlite_store, monkeypatch):
    _add(sqlite_store, 7)
    monkeypatch.setattr(sqlite_arrow, "CHILD_ABOVE_ROWS", 0)
    child = {k: read_arrow(sqlite_store, k) for k in ("orders", "customers")}
    monkeypatch.setattr(sqlite_arrow, "CHILD_ABOVE_ROWS", 10**9)
    inproc = {k: read_arrow(sqlite_store, k) for k in ("orders", "customers")}
    for kind in child:
        assert child[kind].equals(inproc[kind]), kind
    assert child["orders"].column("amount").to_pylist() == [100 + i for i in range(7)]
    assert child["customers"].column("email_consent").to_pylist()[:2] == [True, False]
