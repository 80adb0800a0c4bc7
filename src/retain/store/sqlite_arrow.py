"""Reading a SQLite store into Arrow without a second SQLite library in our process.

The ADBC SQLite driver bundles its own copy of SQLite. Two copies of SQLite in
one process do not see each other's POSIX locks: when the driver closes its
connection it may take itself for the last one, checkpoint and delete the WAL
file under the store's own connections (later writes are then lost), and the
close drops every lock the process holds on the file. So the bulk path runs
the driver in a short-lived child process that writes an Arrow IPC file, which
we map into memory; small tables are read in-process through our own
``sqlite3`` connection, which is faster than starting a process.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile

import pyarrow as pa
from sqlalchemy import text

from retain.errors import StoreError
from retain.store.engine import Store

#: tables with more rows than this are read by the ADBC driver in a child process
CHILD_ABOVE_ROWS = 200_000


def read_sqlite_arrow(store: Store, sql: str, table: str) -> pa.Table:
    """The result of ``sql`` (a SELECT over ``table``) on a SQLite store, as Arrow."""
    with store.read() as conn:
        rows = conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
        if rows <= CHILD_ABOVE_ROWS:
            result = conn.exec_driver_sql(sql)
            names = list(result.keys())
            columns = list(zip(*result.fetchall(), strict=True)) or [() for _ in names]
            return pa.table({n: pa.array(list(c)) for n, c in zip(names, columns, strict=True)})
    return _read_in_child(store.engine.url.database or "", sql)


def _read_in_child(path: str, sql: str) -> pa.Table:
    fd, out = tempfile.mkstemp(suffix=".arrow", prefix="retain-")
    os.close(fd)
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "retain.store.sqlite_arrow", path, out],
            input=sql,
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode != 0:
            last = (proc.stderr.strip().splitlines() or ["no message"])[-1]
            raise StoreError(f"cannot read {path} for the analytics: {last}")
        with pa.memory_map(out) as source:
            return pa.ipc.open_file(source).read_all()
    finally:
        os.unlink(out)


def _child_main(path: str, out: str) -> None:
    """In the child: run the SQL from stdin through ADBC, read-only, into an Arrow IPC file."""
    import adbc_driver_sqlite.dbapi as adbc

    conn = adbc.connect(f"file:{path}?mode=ro")
    try:
        with conn.cursor() as cur:
            cur.execute(sys.stdin.read())
            table = cur.fetch_arrow_table()
    finally:
        conn.close()
    with pa.OSFile(out, "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
        writer.write_table(table)


if __name__ == "__main__":
    _child_main(sys.argv[1], sys.argv[2])
