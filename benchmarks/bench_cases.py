"""Cases at scale: opening cases (priority from value), SLA checks and metrics.

Run:  python benchmarks/bench_cases.py [--orders 1000000] [--cases 2000] [--pg URL]

(Kept here, out of pytest's way, until it moves to benchmarks/.)

Side by side for the priority rule: ranking each new case's customer with a
per-case aggregate over all orders (the first implementation) against cut-offs
computed by one scan and cached for a day (what open_case does now).
"""

from __future__ import annotations

import argparse
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import sqlalchemy as sa
from rich.console import Console
from rich.table import Table
from sqlalchemy import case, func, select

from retain.config import Settings
from retain.ingest import import_file
from retain.service import Calendar, SlaPolicy, Target, case_metrics, check_sla, open_case
from retain.store import cases as db
from retain.store import open_store
from retain.store.schema import User

NOW = datetime(2025, 1, 1, tzinfo=UTC)


def make_orders(path: Path, rows: int, customers: int) -> None:
    rng = np.random.default_rng(1)
    start = np.datetime64("2022-01-01T00:00:00")
    secs = rng.integers(0, 3 * 365 * 86400, rows)
    pd.DataFrame(
        {
            "order_id": [f"O{i:08d}" for i in range(rows)],
            "customer_id": [f"C{c:07d}" for c in rng.integers(0, customers, rows)],
            "ordered_at": np.datetime_as_string(start + secs.astype("timedelta64[s]"), unit="s"),
            "amount": np.round(rng.gamma(2.0, 25.0, rows) + 1, 2),
            "currency": "EUR",
        }
    ).to_csv(path, index=False)


def per_case_rank(store, customer_id: int) -> float | None:
    """The first implementation: the customer's rank by a GROUP BY over all orders."""
    o = db.orders_t
    net = o.c.amount_minor - func.coalesce(o.c.refunded_minor, 0)
    counted = o.c.status.in_(db.COUNTED_ORDER_STATUSES)
    per = (
        select(o.c.customer_id, func.sum(net).label("r"))
        .where(counted)
        .group_by(o.c.customer_id)
        .subquery()
    )
    with store.read() as conn:
        mine = conn.execute(
            select(func.coalesce(func.sum(net), 0)).where(counted, o.c.customer_id == customer_id)
        ).scalar()
        below, n = conn.execute(
            select(func.sum(case((per.c.r < mine, 1), else_=0)), func.count()).select_from(per)
        ).one()
    return below / (n - 1) if n > 1 else None


def timed(fn):
    t = time.perf_counter()
    out = fn()
    return time.perf_counter() - t, out


def run(name: str, url: str, orders_csv: Path, n_cases: int, table: Table) -> None:
    store = open_store(url)
    load, _ = timed(lambda: import_file(store, "orders", orders_csv, settings=Settings()))
    with store.session() as s:
        s.add_all(
            [
                User(username=f"agent{i}", role="agent", is_active=True, created_at=NOW)
                for i in range(20)
            ]
        )
        s.commit()
    policy = SlaPolicy(
        {p: Target(4, 24, "24x7") for p in ("low", "normal", "high", "urgent")},
        Calendar.round_the_clock(),
    )
    old_n = 5
    old, _ = timed(lambda: [per_case_rank(store, i + 1) for i in range(old_n)])
    first, _ = timed(
        lambda: open_case(store, customer_id=1, subject="x", now=NOW, policy=policy, loyal_orders=3)
    )
    rest, _ = timed(
        lambda: [
            open_case(
                store,
                customer_id=i + 2,
                subject="x",
                now=NOW + timedelta(seconds=i),
                policy=policy,
                loyal_orders=3,
            )
            for i in range(n_cases - 1)
        ]
    )
    per_case_old = old / old_n
    per_case_new = rest / (n_cases - 1)
    table.add_row(name, "load orders (retain import)", f"{load:.1f} s", "")
    table.add_row(
        name, "rank one customer: per-case GROUP BY (old)", f"{per_case_old * 1000:,.0f} ms", "1.00"
    )
    table.add_row(
        name,
        "open_case, first of the day (one scan)",
        f"{first * 1000:,.0f} ms",
        f"{first / per_case_old:.2f}",
    )
    table.add_row(
        name,
        "open_case, cut-offs cached",
        f"{per_case_new * 1000:,.1f} ms",
        f"{per_case_new / per_case_old:.4f}",
    )
    sla1, found = timed(lambda: check_sla(store, now=NOW + timedelta(days=2), policy=policy))
    sla2, again = timed(
        lambda: check_sla(store, now=NOW + timedelta(days=2, hours=1), policy=policy)
    )
    assert len(found) == 2 * n_cases and again == []
    table.add_row(name, f"check_sla, {len(found):,} new breaches", f"{sla1:.2f} s", "")
    table.add_row(name, "check_sla again, nothing new", f"{sla2:.2f} s", "")
    met, _ = timed(lambda: case_metrics(store, as_of=NOW + timedelta(days=120), window_days=90))
    table.add_row(name, f"case_metrics over {n_cases:,} cases + retention", f"{met:.2f} s", "")
    store.dispose()


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--orders", type=int, default=1_000_000)
    p.add_argument("--cases", type=int, default=2_000)
    p.add_argument("--pg", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    a = p.parse_args()
    table = Table(title=f"Cases with {a.orders:,} orders of {a.orders // 10:,} customers")
    for col in ("database", "what", "time", "ratio to old"):
        table.add_column(col)
    with tempfile.TemporaryDirectory() as tmp:
        csv = Path(tmp) / "orders.csv"
        make_orders(csv, a.orders, a.orders // 10)
        run("SQLite", f"sqlite:///{Path(tmp) / 'b.db'}", csv, a.cases, table)
        if a.pg:
            schema = f"bench_{uuid.uuid4().hex[:8]}"
            with sa.create_engine(a.pg).begin() as c:
                c.exec_driver_sql(f"CREATE SCHEMA {schema}")
            try:
                run("PostgreSQL", f"{a.pg}?options=-csearch_path%3D{schema}", csv, a.cases, table)
            finally:
                with sa.create_engine(a.pg).begin() as c:
                    c.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
    Console(width=120).print(table)


if __name__ == "__main__":
    main()
