"""The same analytics give identical results on every engine.

DuckDB (pandas input, and the store read through ADBC) and the PostgreSQL
server (``engine="postgres"``); PySpark in ``test_spark.py``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import insert

from retain.analytics import (
    cohort_table,
    customer_stages,
    customer_summary,
    retention_intervals,
    rfm_scores,
    stage_history,
)
from retain.store import Store, open_store
from retain.store.frames import analytics_tables, read_arrow
from retain.store.schema import Customer, Order

AS_OF = date(2025, 6, 30)
CATEGORIES = ["boots", "socks", "tea", None]
STATUSES = ["paid"] * 12 + ["refunded", "partially_refunded", "cancelled", "pending"]


def synthetic(seed: int = 3, n: int = 150) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A small business with every case: same-day orders, refunds, statuses, winter buyers."""
    rng = np.random.default_rng(seed)
    t0 = datetime(2023, 1, 1, tzinfo=UTC)
    orders = []
    for cid in range(1, n + 1):
        k = int(rng.integers(0, 16))
        if cid % 10 == 0:  # winter buyers
            days = [365 * y + int(rng.integers(-20, 20)) + 10 for y in range(3)]
        elif cid % 6 == 1:  # gone early
            days = [int(rng.integers(0, 40))]
        else:
            days = sorted(int(x) for x in rng.integers(0, 900, size=k))
            if k > 2 and cid % 3 == 0:
                days.append(days[-1])  # a second order on the same day
        for d in days:
            amount = int(rng.integers(100, 20000))
            status = STATUSES[int(rng.integers(0, len(STATUSES)))]
            refunded = amount if status == "refunded" else 0
            refunded = amount // 3 if status == "partially_refunded" else refunded
            orders.append(
                {
                    "customer_id": cid,
                    "ordered_at": t0 + timedelta(days=d, seconds=int(rng.integers(0, 86400))),
                    "amount_minor": amount,
                    "refunded_minor": refunded,
                    "status": status,
                    "product_category": CATEGORIES[cid % 4],
                    "channel": "web",
                }
            )
    customers = pd.DataFrame(
        {
            "id": range(1, n + 1),
            "external_id": [f"c{i}" for i in range(1, n + 1)],
            "email_consent": [None if i % 5 else False for i in range(1, n + 1)],
            "do_not_contact": [i % 7 == 0 for i in range(1, n + 1)],
            "let_go": [False] * n,
            "first_seen_at": [t0] * n,
        }
    )
    return pd.DataFrame(orders), customers


def _records(frame: pd.DataFrame) -> list[dict]:
    """Rows as dicts with None (not NaN/NaT) for missing values."""
    return [
        {
            k: (None if v is None or (not isinstance(v, str) and pd.isna(v)) else v)
            for k, v in r.items()
        }
        for r in frame.to_dict("records")
    ]


def fill(store: Store, orders: pd.DataFrame, customers: pd.DataFrame) -> None:
    now = datetime(2025, 7, 1, tzinfo=UTC)
    people = customers.assign(created_at=now, updated_at=now, competitor_status="none")
    rows = orders.assign(
        external_id=[f"o{i}" for i in range(len(orders))],
        currency="EUR",
        created_at=now,
        updated_at=now,
    )
    with store.write() as conn:
        conn.execute(insert(Customer.__table__), _records(people))
        conn.execute(insert(Order.__table__), _records(rows))


def as_pandas(orders: pd.DataFrame, customers: pd.DataFrame):
    o = orders.rename(columns={"amount_minor": "amount", "refunded_minor": "refunded"})
    c = customers.rename(columns={"id": "customer_id"})
    return o, c


def run_all(orders, customers) -> dict[str, pd.DataFrame]:
    return {
        "summary": customer_summary(orders, AS_OF),
        "weekly": customer_summary(orders, AS_OF, freq="W"),
        "stages": customer_stages(orders, AS_OF, customers),
        "rfm": rfm_scores(orders, AS_OF),
        "cohorts": cohort_table(orders, AS_OF),
        "intervals": retention_intervals(orders, AS_OF),
        # every month end of a year in one query (an as-of column through the pipeline)
        "history": stage_history(orders, date(AS_OF.year - 1, AS_OF.month, 1), AS_OF, customers),
    }


def normalise(frame: pd.DataFrame) -> pd.DataFrame:
    """Same values, engine-neutral dtypes: numbers as float rounded to 9 digits, text as object."""
    out = frame.copy()
    for col in out.columns:
        s = out[col]
        if pd.api.types.is_bool_dtype(s) or (s.dtype == object and s.map(type).eq(bool).any()):
            out[col] = [None if pd.isna(v) else bool(v) for v in s]
        elif pd.api.types.is_numeric_dtype(s):
            out[col] = pd.to_numeric(s, errors="coerce").astype(float).round(9)
        elif pd.api.types.is_datetime64_any_dtype(s) or s.map(lambda v: isinstance(v, date)).any():
            out[col] = pd.to_datetime(s).dt.strftime("%Y-%m-%d")
        else:
            out[col] = [None if pd.isna(v) else str(v) for v in s]
    return out.reset_index(drop=True)


def assert_same(a: dict[str, pd.DataFrame], b: dict[str, pd.DataFrame]) -> None:
    for key in a:
        pd.testing.assert_frame_equal(normalise(a[key]), normalise(b[key]), obj=key)


@pytest.fixture(scope="module")
def data() -> tuple[pd.DataFrame, pd.DataFrame]:
    return synthetic()


@pytest.fixture(scope="module")
def expected(data) -> dict[str, pd.DataFrame]:
    return run_all(*as_pandas(*data))


def test_synthetic_data_has_every_stage(expected) -> None:
    stages = expected["stages"]
    assert set(stages.stage) == {"prospect", "new", "active", "loyal", "lapsed", "inactive"}
    assert set(stages.substage) >= {"", "short_term", "long_term", "seasonal", "win_back"}


def test_sqlite_store_through_adbc_on_duckdb(tmp_path, data, expected) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'retain.db'}")
    fill(store, *data)
    with analytics_tables(store) as t:
        assert_same(expected, run_all(t["orders"], t["customers"]))
    assert read_arrow(store, "orders").num_rows == len(data[0])


@pytest.mark.postgres
def test_postgres_server_and_adbc(pg_url, data, expected) -> None:
    store = open_store(pg_url)
    fill(store, *data)
    with analytics_tables(store) as on_server:  # the default for a PostgreSQL store
        assert_same(expected, run_all(on_server["orders"], on_server["customers"]))
    with analytics_tables(store, engine="duckdb") as through_adbc:
        assert_same(expected, run_all(through_adbc["orders"], through_adbc["customers"]))
    store.dispose()
