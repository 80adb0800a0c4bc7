"""The analytics run from several threads at once (the web app's worker threads)."""

from __future__ import annotations

import threading
from datetime import date

import numpy as np
import pandas as pd

from retain.analytics import customer_stages, customer_summary


def _orders(n_customers: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n = n_customers * 5
    days = pd.Timestamp("2024-01-01", tz="UTC") + pd.to_timedelta(rng.integers(0, 700, n), "D")
    return pd.DataFrame(
        {
            "customer_id": rng.integers(1, n_customers + 1, n),
            "ordered_at": days,
            "amount": rng.integers(100, 10_000, n).astype(float),
        }
    )


def test_concurrent_runs_finish_and_agree_with_a_single_run() -> None:
    orders = _orders(3_000, seed=5)
    as_of = date(2025, 12, 1)
    expected = customer_stages(orders, as_of)
    summary = customer_summary(orders, as_of=as_of)
    results: list[pd.DataFrame] = []
    errors: list[BaseException] = []

    def work(i: int) -> None:
        try:
            for _ in range(4):
                if i % 2:
                    results.append(customer_stages(orders, as_of))
                else:
                    got = customer_summary(orders, as_of=as_of)
                    pd.testing.assert_frame_equal(got, summary)
        except BaseException as exc:  # pragma: no cover - shown by the assertion
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,), daemon=True) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "analytics threads deadlocked"
    assert errors == []
    assert len(results) == 8
    for got in results:
        pd.testing.assert_frame_equal(got, expected)


def test_in_memory_tables_are_released_once_their_results_are_gone() -> None:
    # Ibis keeps every registered in-memory table until the process exits; a web
    # server computing stages again and again would grow without end
    import gc

    import ibis

    con = ibis.options.default_backend.connection()

    def registered() -> int:
        con.drop_released()
        return con.con.execute(
            "SELECT count(*) FROM duckdb_views() WHERE NOT internal AND view_name LIKE 'ibis_%'"
        ).fetchone()[0]

    gc.collect()
    before = registered()
    customer_stages(_orders(200, seed=1), date(2025, 12, 1))
    gc.collect()
    assert registered() == before
    # and while an expression is alive, its table stays usable
    summary = customer_summary(_orders(200, seed=2), date(2025, 12, 1))
    kept = ibis.memtable(summary)
    assert kept.count().to_pyarrow().as_py() == len(summary)
    gc.collect()
    assert kept.count().to_pyarrow().as_py() == len(summary)
    del kept
    gc.collect()
    assert registered() == before
