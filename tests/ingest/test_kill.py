"""An import process killed with SIGKILL half-way leaves the store exactly as before."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap

from retain.config import Settings
from retain.ingest import import_file
from retain.store import open_store
from retain.store.queries import record_counts

#: imports a file, and kills its own process (SIGKILL) when the merge transaction is about
#: to insert the orders: customers are already written, uncommitted, at that moment
KILLER = textwrap.dedent(
    """
    import os, signal, sys
    from sqlalchemy import event
    from retain.config import Settings
    from retain.ingest import import_file
    from retain.store import open_store

    store = open_store(sys.argv[1])

    @event.listens_for(store.engine, "before_cursor_execute")
    def kill(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("INSERT INTO ORDERS"):
            print("killing", flush=True)
            os.kill(os.getpid(), signal.SIGKILL)

    import_file(store, "orders", sys.argv[2], settings=Settings())
    print("import finished", flush=True)
    """
)


def test_sigkill_during_import(db_url, tmp_path, snapshot):
    store = open_store(db_url)
    first = tmp_path / "first.csv"
    first.write_text("order_id,customer_id,ordered_at,amount\nA1,C1,2024-01-01,10\n")
    assert import_file(store, "orders", first, settings=Settings()).inserted == 1
    before = snapshot(store)
    counts_before = record_counts(store)
    big = tmp_path / "big.csv"
    rows = [f"B{i},N{i % 3000},2024-02-01 10:00,{i % 50 + 1}.25" for i in range(30_000)]
    big.write_text("order_id,customer_id,ordered_at,amount\n" + "\n".join(rows) + "\n")
    proc = subprocess.run(
        [sys.executable, "-c", KILLER, db_url, str(big)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    assert "killing" in proc.stdout and "import finished" not in proc.stdout
    store.dispose()
    store = open_store(db_url)
    assert snapshot(store) == before
    assert record_counts(store) == counts_before
    # the store is not left locked or half-written: the same import now succeeds
    report = import_file(store, "orders", big, settings=Settings())
    assert (report.inserted, report.customers_created) == (30_000, 3000)
    store.dispose()
