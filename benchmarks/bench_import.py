"""Import speed: 1,000,000 order rows into SQLite and PostgreSQL, against pandas.to_sql.

Run:  python benchmarks/bench_import.py [--rows 1000000] [--pg postgresql+psycopg://...]

Prints one table: seconds and rows/s for `retain import orders` (read, validate,
resolve customers, idempotent upsert in one transaction), for importing the same
file again (nothing changes), and for a plain `pandas.DataFrame.to_sql` insert of the
already-parsed rows (no validation, no upsert) as the yardstick.
"""

from __future__ import annotations

import argparse
import tempfile
import time
import uuid
from pathlib import Path

import numpy as np
import pandas as pd
import sqlalchemy as sa
from rich.console import Console
from rich.table import Table

from retain.config import Settings
from retain.ingest import import_file
from retain.store import open_store

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def make_orders(path: Path, rows: int, seed: int = 1) -> None:
    """A CSV of ``rows`` orders of rows/10 customers, with offsets and two decimals."""
    rng = np.random.default_rng(seed)
    start = np.datetime64("2022-01-01T00:00:00")
    seconds = rng.integers(0, 3 * 365 * 86400, rows)
    times = np.datetime_as_string(start + seconds.astype("timedelta64[s]"), unit="s")
    frame = pd.DataFrame(
        {
            "order_id": [f"O{i:08d}" for i in range(rows)],
            "customer_id": [f"C{c:07d}" for c in rng.integers(0, max(rows // 10, 1), rows)],
            "ordered_at": pd.Series(times) + "+01:00",
            "amount": np.round(rng.gamma(2.0, 25.0, rows) + 1, 2).astype(str),
            "currency": "EUR",
            "product_category": rng.choice(["Coffee", "Shoes", "Snow boots", "Furniture"], rows),
        }
    )
    frame.to_csv(path, index=False)


def fresh_pg_url(base: str) -> tuple[str, str]:
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    with sa.create_engine(base).begin() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    return f"{base}?options=-csearch_path%3D{schema}", schema


def drop_pg_schema(base: str, schema: str) -> None:
    with sa.create_engine(base).begin() as conn:
        conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")


def timed(fn) -> tuple[float, object]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def run(rows: int, pg: str | None) -> Table:
    table = Table(title=f"Import of {rows:,} order rows ({rows // 10:,} customers)")
    for col in ("database", "what", "seconds", "rows/s", "ratio to to_sql"):
        table.add_column(col, justify="right" if col != "what" else "left")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "orders.csv"
        make_orders(path, rows)
        parsed = pd.read_csv(path)
        parsed["ordered_at"] = pd.to_datetime(parsed["ordered_at"], utc=True)
        parsed["amount_minor"] = (parsed.pop("amount") * 100).round().astype("int64")
        targets = [("SQLite", f"sqlite:///{Path(tmp) / 'bench.db'}", None)]
        if pg:
            url, schema = fresh_pg_url(pg)
            targets.append(("PostgreSQL", url, schema))
        for name, url, schema in targets:
            store = open_store(url)
            first, report = timed(
                lambda s=store: import_file(s, "orders", path, settings=Settings())
            )
            again, report2 = timed(
                lambda s=store: import_file(s, "orders", path, settings=Settings())
            )
            assert report.inserted == rows and report2.unchanged == rows
            engine = sa.create_engine(url)
            plain, _ = timed(
                lambda e=engine: parsed.to_sql(
                    "plain_orders", e, if_exists="replace", index=False, chunksize=10_000
                )
            )
            engine.dispose()
            store.dispose()
            for what, secs in (
                ("retain import (new file)", first),
                ("retain import (same file again)", again),
                ("pandas.to_sql, no validation", plain),
            ):
                table.add_row(
                    name, what, f"{secs:.1f}", f"{rows / secs:,.0f}", f"{secs / plain:.2f}"
                )
            if schema:
                drop_pg_schema(pg, schema)
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--pg", default=DEFAULT_PG, help="PostgreSQL URL ('' to skip)")
    args = parser.parse_args()
    Console().print(run(args.rows, args.pg or None))


if __name__ == "__main__":
    main()
