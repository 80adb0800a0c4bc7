"""Records as analytics tables: Arrow through ADBC, or Ibis tables on the server.

The analytics (``retain.analytics``) take tables with their own column
names (``customer_id``, ``ordered_at``, ``amount``...). This module gives
them the store's records under those names:

- :func:`read_arrow` reads a table in bulk through the ADBC driver of the
  store (SQLite or PostgreSQL) into Arrow: about 4 s for 10M orders where
  Python's ``sqlite3`` cursor takes minutes. For SQLite the driver runs in a
  child process (see :mod:`retain.store.sqlite_arrow`: two SQLite libraries
  in one process can lose writes). SQLite's text timestamps become
  UTC timestamps and its 0/1 flags booleans.
- :func:`analytics_tables` gives Ibis tables to run the analytics on:
  DuckDB in-process over the Arrow tables (the default), or the PostgreSQL
  server itself (``engine="postgres"``, the default for a PostgreSQL store),
  so that nothing is copied out.

Both leave out the records of customers who do not count (:func:`counted_only`):
confirmed competitors and customers merged into another, so that stage
counts, cohorts, RFM, CLV and NPS speak only of real customers. Pass
``with_excluded=True`` to read everything.

Money stays in integer minor units (``amount`` = ``amount_minor``).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import ibis
import ibis.expr.types as ir
import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy.engine import URL

from retain.errors import ConfigError
from retain.store.audience import excluded_ids
from retain.store.engine import Store
from retain.store.sqlite_arrow import read_sqlite_arrow

#: per record kind: store column -> analytics column
COLUMNS: dict[str, dict[str, str]] = {
    "orders": {
        "customer_id": "customer_id",
        "ordered_at": "ordered_at",
        "amount_minor": "amount",
        "refunded_minor": "refunded",
        "currency": "currency",
        "status": "status",
        "product_category": "product_category",
        "channel": "channel",
    },
    "customers": {
        "id": "customer_id",
        "external_id": "external_id",
        "first_seen_at": "first_seen_at",
        "email_consent": "email_consent",
        "do_not_contact": "do_not_contact",
        "let_go": "let_go",
        "competitor_status": "competitor_status",
        "merged_into_id": "merged_into_id",
        "country": "country",
        "acquisition_channel": "acquisition_channel",
    },
    "interactions": {
        "customer_id": "customer_id",
        "occurred_at": "occurred_at",
        "channel": "channel",
        "direction": "direction",
        "kind": "kind",
    },
    "feedback": {
        "customer_id": "customer_id",
        "responded_at": "responded_at",
        "nps_score": "nps_score",
        "source": "source",
        "kind": "kind",
    },
}
TIMESTAMPS = {"ordered_at", "first_seen_at", "occurred_at", "responded_at"}
BOOLEANS = {"email_consent", "do_not_contact", "let_go"}
ENGINES = ("duckdb", "postgres")


def _libpq_uri(url: URL) -> str:
    """The libpq URI of a SQLAlchemy PostgreSQL URL (for the ADBC driver)."""
    auth = quote(url.username or "", safe="")
    if url.password:
        auth += ":" + quote(str(url.password), safe="")
    host = url.host or "localhost"
    port = f":{url.port}" if url.port else ""
    query = "&".join(
        f"{k}={quote(v if isinstance(v, str) else v[0], safe='')}" for k, v in url.query.items()
    )
    return f"postgresql://{auth}@{host}{port}/{url.database or ''}" + (f"?{query}" if query else "")


def _select(kind: str, dialect: str, schema: str | None) -> str:
    cols = COLUMNS[kind]
    table = f'"{schema}"."{kind}"' if schema else kind
    if dialect == "postgresql":
        parts = [
            f"{src}::int8 AS {dst}" if dst in ("amount", "refunded") else f"{src} AS {dst}"
            for src, dst in cols.items()
        ]
        return f"SELECT {', '.join(parts)} FROM {table}"
    # SQLite's ADBC driver infers each column's type from its first batch of rows and
    # fails when a column NULL throughout that batch holds text later: a first probe
    # row with a value of each column's type (dropped after reading) fixes the types.
    probe = ", ".join(f"{_PROBES.get(dst, _PROBE_TEXT)} AS {dst}" for dst in cols.values())
    parts = [f"{src} AS {dst}" for src, dst in cols.items()]
    return f"SELECT 1 AS _probe, {probe} UNION ALL SELECT 0, {', '.join(parts)} FROM {table}"


_PROBE_TEXT = "'x'"
_PROBES = {
    **{name: "'1970-01-01 00:00:00.000000'" for name in TIMESTAMPS},
    **{name: "0" for name in BOOLEANS},
    **{name: "0" for name in ("customer_id", "merged_into_id", "amount", "refunded", "nps_score")},
}


def counted_only(table: pa.Table, excluded: set[int] | frozenset[int]) -> pa.Table:
    """``table`` without the rows whose ``customer_id`` is in ``excluded``.

    ``excluded``: store ids of confirmed competitors and merged-away customers
    (:func:`retain.store.audience.excluded_ids`). Rows without a customer stay.
    """
    if not excluded or table.num_rows == 0:
        return table
    gone = pc.is_in(table.column("customer_id"), value_set=pa.array(sorted(excluded), pa.int64()))
    return table.filter(pc.invert(pc.fill_null(gone, False)))


def read_arrow(store: Store, kind: str, *, with_excluded: bool = False) -> pa.Table:
    """The records of ``kind`` (orders, customers, interactions, feedback) as Arrow.

    Columns are named as in :data:`COLUMNS`; timestamps are UTC. Records of
    confirmed competitors and merged-away customers are left out
    (:func:`counted_only`) unless ``with_excluded``.
    """
    if kind not in COLUMNS:
        raise ConfigError(f"cannot read {kind!r}: use one of {', '.join(COLUMNS)}")
    url = store.engine.url
    sql = _select(kind, store.dialect, store.schema)
    if store.dialect == "sqlite":
        table = read_sqlite_arrow(store, sql, kind)
        table = table.filter(pc.equal(table.column("_probe"), 0)).drop_columns(["_probe"])
        return _counted(store, _normalise(table, kind), with_excluded)
    import adbc_driver_postgresql.dbapi as adbc

    conn = adbc.connect(_libpq_uri(url))
    try:
        with conn.cursor() as cur:
            cur.execute(sql)
            table = cur.fetch_arrow_table()
    finally:
        conn.close()
    return _counted(store, _normalise(table, kind), with_excluded)


def _counted(store: Store, table: pa.Table, with_excluded: bool) -> pa.Table:
    return table if with_excluded else counted_only(table, excluded_ids(store))


def _normalise(table: pa.Table, kind: str) -> pa.Table:
    """Give every column the type the analytics expect, whatever the driver inferred."""
    arrays = []
    names = list(COLUMNS[kind].values())
    for name in names:
        col = table.column(name)
        if name in TIMESTAMPS:
            col = _timestamp(col)
        elif name in BOOLEANS:
            col = (
                pc.not_equal(col.cast(pa.int64()), 0) if not pa.types.is_boolean(col.type) else col
            )
        elif name in ("customer_id", "merged_into_id", "amount", "refunded", "nps_score"):
            col = col.cast(pa.int64())
        elif pa.types.is_null(col.type) or not pa.types.is_string(col.type):
            col = col.cast(pa.string())
        arrays.append(col)
    return pa.table(arrays, names=names)


def _timestamp(col: pa.ChunkedArray) -> pa.ChunkedArray:
    utc = pa.timestamp("us", tz="UTC")
    if pa.types.is_timestamp(col.type):
        if col.type.tz is None:
            return col.cast(pa.timestamp("us")).cast(utc)
        return col.cast(utc)
    if pa.types.is_null(col.type):
        return col.cast(utc)
    return col.cast(pa.string()).cast(pa.timestamp("us")).cast(utc)


class AnalyticsTables(dict[str, ir.Table]):
    """Ibis tables by record kind, on one Ibis backend; close it (or use ``with``) when done."""

    def __init__(self, backend: Any, tables: dict[str, ir.Table]) -> None:
        super().__init__(tables)
        self.backend = backend

    def close(self) -> None:
        """Close the backend's connection (the PostgreSQL session, the DuckDB database)."""
        self.backend.disconnect()

    def __enter__(self) -> AnalyticsTables:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _naive_utc(table: pa.Table) -> pa.Table:
    """Timestamps as naive UTC: DuckDB takes their date several times faster."""
    schema = pa.schema(
        [
            pa.field(f.name, pa.timestamp("us")) if pa.types.is_timestamp(f.type) else f
            for f in table.schema
        ]
    )
    return table.cast(schema)


def analytics_tables(
    store: Store,
    kinds: tuple[str, ...] = ("orders", "customers"),
    engine: str | None = None,
    *,
    with_excluded: bool = False,
) -> AnalyticsTables:
    """Ibis tables of the store's records for the analytics, one per kind.

    ``engine``: ``duckdb`` (read through ADBC into Arrow, run by DuckDB
    in-process) or ``postgres`` (run on the PostgreSQL server of a PostgreSQL
    store); default: ``postgres`` for a PostgreSQL store, else ``duckdb``.
    Confirmed competitors and merged-away customers are left out unless
    ``with_excluded`` (as :func:`read_arrow`).
    Use it as a context manager, or call ``close()``, to release the connection.
    """
    engine = engine or ("postgres" if store.dialect == "postgresql" else "duckdb")
    if engine not in ENGINES:
        raise ConfigError(f"unknown analytics engine {engine!r}: use one of {', '.join(ENGINES)}")
    if engine == "duckdb":
        con = ibis.duckdb.connect()
        return AnalyticsTables(
            con,
            {
                k: con.create_table(
                    f"retain_{k}", _naive_utc(read_arrow(store, k, with_excluded=with_excluded))
                )
                for k in kinds
            },
        )
    if store.dialect != "postgresql":
        raise ConfigError("engine 'postgres' needs a PostgreSQL store; use 'duckdb'")
    con = postgres_backend(store)
    people = con.table("customers")
    gone = people.filter(
        (people.competitor_status == "confirmed") | people.merged_into_id.notnull()
    ).select(_gone=people.id)
    out = {}
    for kind in kinds:
        t = con.table(kind)
        if not with_excluded:
            key = t.id if kind == "customers" else t.customer_id
            t = t.filter(key.isnull() | ~key.isin(gone._gone))
        cols: dict[str, Any] = {}
        for src, dst in COLUMNS[kind].items():
            col = t[src]
            if dst in ("amount", "refunded", "nps_score", "customer_id", "merged_into_id"):
                col = col.cast("int64")
            elif col.type().is_string():
                col = col.cast("string")  # varchar(n) -> text, as on the other engines
            cols[dst] = col
        out[kind] = t.select(**cols)
    return AnalyticsTables(con, out)


def postgres_backend(store: Store) -> Any:
    """An Ibis PostgreSQL backend on the store's server, schema and search path."""
    url = store.engine.url
    kwargs: dict[str, Any] = {
        "host": url.host or "localhost",
        "port": url.port or 5432,
        "user": url.username,
        "password": url.password,
        "database": url.database,
    }
    options = url.query.get("options")
    if options:
        kwargs["options"] = options if isinstance(options, str) else options[0]
    if store.schema:
        kwargs["schema"] = store.schema
    return ibis.postgres.connect(**kwargs)
