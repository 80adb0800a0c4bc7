"""Reading the store's records as Arrow through ADBC."""

from __future__ import annotations

from datetime import UTC, datetime

import pyarrow as pa
from sqlalchemy import insert

from retain.store.frames import analytics_tables, read_arrow
from retain.store.schema import Customer


def test_columns_null_in_the_first_rows_keep_their_type(store) -> None:
    """ADBC's SQLite driver infers types from the first rows; 5,000 NULLs must not fool it."""
    now = datetime(2024, 1, 1, tzinfo=UTC)
    rows = [
        {
            "external_id": f"c{i}",
            "country": None if i < 5000 else "DE",
            "first_seen_at": None if i < 5000 else now,
            "email_consent": None if i < 5000 else False,
            "created_at": now,
            "updated_at": now,
        }
        for i in range(5010)
    ]
    with store.write() as conn:
        conn.execute(insert(Customer.__table__), rows)
    t = read_arrow(store, "customers")
    assert t.num_rows == 5010
    assert t.schema.field("country").type == pa.string()
    assert t.schema.field("first_seen_at").type == pa.timestamp("us", tz="UTC")
    assert t.schema.field("email_consent").type == pa.bool_()
    last = t.slice(5009).to_pylist()[0]
    assert (last["country"], last["first_seen_at"], last["email_consent"]) == ("DE", now, False)
    assert t.column("country").null_count == 5000
    with analytics_tables(store, ("customers",)) as tables:
        assert tables["customers"].count().to_pyarrow().as_py() == 5010


def test_large_sqlite_table_through_the_adbc_child(sqlite_store) -> None:
    """Above 200k rows the ADBC driver reads (in a child process): same types."""
    n = 201_000
    stamp = "2024-01-01 00:00:00.000000"
    rows = [
        (f"c{i}", None if i < n - 10 else "DE", None if i < n - 10 else stamp, stamp, stamp)
        for i in range(n)
    ]
    with sqlite_store.write() as conn:
        conn.exec_driver_sql(
            "INSERT INTO customers (external_id, country, first_seen_at, created_at, updated_at,"
            " do_not_contact, let_go, competitor_status) VALUES (?, ?, ?, ?, ?, 0, 0, 'none')",
            rows,
        )
    t = read_arrow(sqlite_store, "customers")
    assert t.num_rows == n
    assert t.column("country").null_count == n - 10
    assert t.schema.field("first_seen_at").type == pa.timestamp("us", tz="UTC")
    assert t.column("first_seen_at").drop_null().to_pylist()[0] == datetime(2024, 1, 1, tzinfo=UTC)
