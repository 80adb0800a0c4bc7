"""Input tables of the analytics: accept pandas, Arrow or Ibis; check columns; run.

Every analytics function takes its tables through :func:`as_table`, which
turns a pandas DataFrame or an Arrow table into an Ibis in-memory table (run
by DuckDB in-process) and leaves an Ibis table bound to a backend
(PostgreSQL, PySpark, DuckDB) where it is, so that the same expression runs
on the engine that holds the data. Required columns are checked here, once,
with an error that names what is missing.
"""

from __future__ import annotations

import threading
import weakref
from collections import deque
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

import ibis
import ibis.backends.duckdb
import ibis.expr.types as ir
import pandas as pd
import pyarrow as pa

from retain.errors import InvalidInputError, MissingColumnsError

TableLike = pd.DataFrame | pa.Table | ir.Table


class _DuckDB(ibis.backends.duckdb.Backend):
    """Ibis's DuckDB backend, releasing in-memory tables that are no longer used.

    Ibis registers an in-memory table (pandas or Arrow input) with DuckDB and
    keeps it until the process exits (measured: 50 MB more for every summary
    of 2M orders), which a web server cannot afford. Here it is unregistered
    once its Ibis expression is garbage collected.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        #: names of in-memory tables whose expressions are gone
        self._released: deque[str] = deque()

    def _register_in_memory_table(self, op: Any) -> None:
        super()._register_in_memory_table(op)
        # the finalizer may run on any thread: it only queues the name
        weakref.finalize(op, self._released.append, op.name)

    def drop_released(self) -> None:
        """Drop the tables of in-memory tables no longer used (call it from the
        thread that owns this connection: a DuckDB connection serves one at a time)."""
        released = self._released
        while released:
            self.con.unregister(released.popleft())


class ThreadDuckDB:
    """Ibis's default backend, one in-memory DuckDB connection per thread.

    In-memory tables (pandas or Arrow input) run on Ibis's default backend.
    One DuckDB connection shared by threads deadlocks when two of them run at
    once (measured: the web app's worker threads, one registering a table while
    another fetches a result), so each thread gets its own.
    """

    def __init__(self) -> None:
        self._local = threading.local()

    def connection(self) -> Any:
        """This thread's DuckDB backend, opened on first use."""
        con = getattr(self._local, "con", None)
        if con is None:
            con = self._local.con = _DuckDB().connect(":memory:")
        con.drop_released()
        return con

    def __getattr__(self, name: str) -> Any:
        return getattr(self.connection(), name)


if ibis.options.default_backend is None:
    ibis.options.default_backend = ThreadDuckDB()

#: statuses of orders that are not (yet) purchases
NOT_PURCHASED = ("cancelled", "failed", "pending", "refunded")


def as_table(data: Any, what: str, required: Iterable[str]) -> ir.Table:
    """``data`` as an Ibis table, after checking that it has the ``required`` columns.

    ``what`` names the table in the error ("orders", "customers").
    """
    if isinstance(data, ir.Table):
        table = data
    elif isinstance(data, pd.DataFrame | pa.Table):
        table = ibis.memtable(_arrow(data))
    else:
        raise InvalidInputError(
            f"{what} must be a pandas DataFrame, an Arrow table or an Ibis table, "
            f"not {type(data).__name__}"
        )
    present = list(table.columns)
    missing = [c for c in required if c not in present]
    if missing:
        raise MissingColumnsError(what, missing, present)
    return table


def _arrow(data: pd.DataFrame | pa.Table) -> pa.Table:
    """An Arrow table whose timestamps are naive UTC (naive input is taken as UTC).

    DuckDB reads naive timestamps several times faster than time-zone aware
    ones (whose date it computes through ICU calendars).
    """
    table = (
        pa.Table.from_pandas(data, preserve_index=False) if isinstance(data, pd.DataFrame) else data
    )
    fields = []
    changed = False
    for field in table.schema:
        if pa.types.is_timestamp(field.type) and field.type.tz is not None:
            fields.append(pa.field(field.name, pa.timestamp(field.type.unit)))
            changed = True
        else:
            fields.append(field)
    return table.cast(pa.schema(fields)) if changed else table


def as_of_date(as_of: date | datetime | str) -> date:
    """The date ``as_of`` names: a ``date``, a ``datetime`` (its UTC date) or ISO text."""
    if isinstance(as_of, datetime):
        if as_of.tzinfo is not None:
            as_of = pd.Timestamp(as_of).tz_convert("UTC").to_pydatetime()
        return as_of.date()
    if isinstance(as_of, date):
        return as_of
    if isinstance(as_of, str):
        try:
            return date.fromisoformat(as_of[:10])
        except ValueError:
            pass
    raise InvalidInputError(f"as_of must be a date such as 2026-06-30, not {as_of!r}")


def to_pandas(expr: ir.Table) -> pd.DataFrame:
    """Run ``expr`` on its engine and return the rows as pandas.

    Through Arrow, so that every engine gives the same dtypes: integers with
    missing values become float64, dates ``datetime.date`` objects.
    """
    return expr.to_pyarrow().to_pandas()


def left_join_on(left: ir.Table, right: ir.Table, keys: str | Iterable[str]) -> ir.Table:
    """``left`` left-joined with ``right`` on equal ``keys`` columns, each kept once."""
    keys = [keys] if isinstance(keys, str) else list(keys)
    return left.left_join(right, keys).drop(*(f"{k}_right" for k in keys))


def order_day(orders: ir.Table) -> ir.DateValue:
    """The UTC calendar day of each order (``ordered_at`` may be a date or a timestamp)."""
    col = orders.ordered_at
    if col.type().is_date():
        return col
    if col.type().is_timestamp():
        return col.date()
    raise InvalidInputError(
        f"orders.ordered_at must be a date or a timestamp, not {col.type()}; "
        "parse it first (pandas.to_datetime)"
    )
