"""Benchmark: customer summary + life-cycle stages + RFM, end to end, side by side.

    python benchmarks/bench_lifecycle.py                       # 10M orders, 1M customers
    python benchmarks/bench_lifecycle.py --orders 1000000 --customers 100000
    python benchmarks/bench_lifecycle.py --engines duckdb,pandas,lifetimes,postgres,spark
    python benchmarks/bench_lifecycle.py --repeat 5 --keep-data /tmp/orders10m.parquet

Contenders, each in a process of its own (so that peak memory is its own),
all on the same synthetic orders (Parquet, written once, seeded):

- ``duckdb``: Retain's analytics (Ibis on DuckDB in-process) from an Arrow
  table: summary, stages and RFM scores of every customer;
- ``pandas``: the same summary, stages (without seasons) and RFM written as
  a plain pandas groupby;
- ``lifetimes``: ``lifetimes.utils.summary_data_from_transaction_data`` (the
  summary only), run by the Python named by ``LIFETIMES_PYTHON`` (default
  ``/work/venv-lifetimes/bin/python``);
- ``postgres``: Retain's analytics run on the PostgreSQL server (the orders
  loaded first through ADBC; load time reported apart), ``--postgres-url``;
- ``spark``: Retain's analytics on PySpark local mode reading the Parquet
  file (JVM start reported apart).

Time is wall-clock of the computation from data in memory (or in the
server) to the result in memory, the median of ``--repeat`` runs in the
contender's process ("first s": the first run, which also pays one-time
costs: connecting, first use of imported modules); "load" is reading the
Parquet file (or loading the server). Libraries are imported before the
clock starts. Peak memory is the process's maximum resident set
(for Spark, the JVM's is not included). "CPU s" is the process's CPU time
(all its threads) during the computation: on a shared machine it moves less
than wall-clock time (PostgreSQL's and Spark's JVM's CPU are not counted, so
they show none). The script also
checks that Retain's summary equals lifetimes' on every customer.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

AS_OF = date(2026, 6, 30)
START = np.datetime64("2023-07-01T00:00:00", "us")
CATEGORIES = np.array(["Coffee", "Books", "Shoes", "Cosmetics", "Outdoor", "Furniture"])
LIFETIMES_PYTHON = os.environ.get("LIFETIMES_PYTHON", "/work/venv-lifetimes/bin/python")
ENGINES = ("duckdb", "pandas", "lifetimes", "postgres", "spark")


def generate(n_orders: int, n_customers: int, seed: int = 42) -> pa.Table:
    """Orders of customers with skewed activity over three years (seeded)."""
    rng = np.random.default_rng(seed)
    weights = rng.gamma(0.6, 1.0, n_customers)
    customer = rng.choice(n_customers, size=n_orders, p=weights / weights.sum()) + 1
    seconds = rng.integers(0, int(3 * 365.25 * 86400), size=n_orders)
    at = START + seconds.astype("timedelta64[s]").astype("timedelta64[us]")
    cat = CATEGORIES[(customer * 7 + rng.integers(0, 2, n_orders)) % len(CATEGORIES)]
    amount = (rng.gamma(2.0, 2500.0, n_orders)).astype(np.int64) + 100
    return pa.table(
        {
            "customer_id": pa.array(customer.astype(np.int64)),
            "ordered_at": pa.array(at, type=pa.timestamp("us", tz="UTC")),
            "amount": pa.array(amount),
            "product_category": pa.array(cat),
        }
    )


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_seconds() -> float:
    """CPU time of this process so far (all threads): a measure the machine's load bends less."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def timed_runs(compute, repeat: int) -> tuple[object, dict]:
    """Run ``compute()`` ``repeat`` times; its last result, and ``seconds`` and
    ``cpu`` (medians), ``first`` (the first run's seconds: with one-time costs
    such as connecting, first imports and compilation caches) and ``runs``."""
    walls, cpus = [], []
    result = None
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), cpu_seconds()
        result = compute()
        walls.append(time.perf_counter() - t0)
        cpus.append(cpu_seconds() - c0)
    times = {
        "seconds": float(np.median(walls)),
        "cpu": float(np.median(cpus)),
        "first": walls[0],
        "runs": [round(w, 2) for w in walls],
    }
    return result, times


# ---------------------------------------------------------------- contenders


def retain_lifecycle(orders, as_of: date):
    """Retain: stages (with the summary's columns) and RFM; returns both as Arrow."""
    from retain.analytics import rfm_table, stage_table

    stages = stage_table(orders, as_of)
    # Ibis 12's PySpark cache() runs the query without registering the in-memory
    # tables it joins (the category codes): register them first
    stages._find_backend(use_default=True)._run_pre_execute_hooks(stages)
    stages = stages.cache()
    rfm = rfm_table(None, as_of, summary=stages.filter(stages.purchases > 0))
    return stages.to_pyarrow(), rfm.to_pyarrow()


def worker_duckdb(path: str, out: str | None, repeat: int) -> dict:
    import retain.analytics  # noqa: F401  (imported before the clock starts, as pandas is)

    t0 = time.perf_counter()
    table = pq.read_table(path)
    load = time.perf_counter() - t0
    (stages, rfm), times = timed_runs(lambda: retain_lifecycle(table, AS_OF), repeat)
    if out:
        cols = ["customer_id", "frequency", "recency", "T", "monetary_value"]
        pq.write_table(stages.select(cols), out)
    return {**times, "load": load, "rows": stages.num_rows, "rfm_rows": rfm.num_rows}


def pandas_lifecycle(df: pd.DataFrame, as_of: date) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Summary, stages (no seasons) and RFM as a plain pandas groupby (the reference)."""
    eday = df["ordered_at"].to_numpy().astype("datetime64[D]").astype(np.int64)
    as_of_eday = (as_of - date(1970, 1, 1)).days
    keep = eday <= as_of_eday
    df = pd.DataFrame(
        {
            "customer_id": df["customer_id"].to_numpy()[keep],
            "eday": eday[keep],
            "amount": df["amount"].to_numpy()[keep],
            "cat": df["product_category"].to_numpy()[keep],
        }
    )
    d = df.groupby(["customer_id", "eday"], sort=True).agg(
        amount=("amount", "sum"), cat=("cat", "min")
    )
    d = d.reset_index()
    first_row = d["customer_id"].ne(d["customer_id"].shift())
    d["gap"] = d["eday"].diff().where(~first_row)
    d["prev_cat"] = d["cat"].shift().where(~first_row)
    g = d.groupby("customer_id", sort=True)
    s = g.agg(
        n=("eday", "size"),
        first=("eday", "min"),
        last=("eday", "max"),
        revenue=("amount", "sum"),
        first_amount=("amount", "first"),
        median_gap=("gap", "median"),
    )
    s["frequency"] = s["n"] - 1
    s["recency"] = s["last"] - s["first"]
    s["T"] = as_of_eday - s["first"]
    s["monetary_value"] = np.where(
        s["frequency"] > 0, (s["revenue"] - s["first_amount"]) / s["frequency"].clip(lower=1), 0.0
    )
    s["days_since"] = as_of_eday - s["last"]
    main = d.groupby(["customer_id", "cat"]).amount.agg(["size", "sum"]).reset_index()
    main = main.sort_values(["customer_id", "size", "sum"], ascending=[True, False, False])
    s["main_category"] = main.drop_duplicates("customer_id").set_index("customer_id")["cat"]
    gaps = d.dropna(subset=["gap"])
    per_cat = gaps.groupby("prev_cat").gap.agg(["size", lambda x: x.quantile(0.8)])
    per_cat.columns = ["size", "q"]
    overall = gaps.gap.quantile(0.8)
    own = gaps.groupby("customer_id").gap.quantile(0.8)
    cat_gap = s["main_category"].map(per_cat.loc[per_cat["size"] >= 30, "q"]).fillna(overall)
    base = np.where(s["frequency"] >= 5, own.reindex(s.index), cat_gap)
    gap = np.maximum(np.ceil(np.round(base, 6)), 7)
    days, n = s["days_since"].to_numpy(), s["n"].to_numpy()
    s["stage"] = np.select(
        [days <= gap, days <= 4 * gap],
        [np.where(n == 1, "new", np.where(n < 3, "active", "loyal")), "lapsed"],
        "inactive",
    )
    total = len(s)
    rfm = pd.DataFrame(index=s.index)
    for name, col in (("r", -s["days_since"]), ("f", s["n"]), ("m", s["revenue"])):
        rank = col.rank(method="min").to_numpy() - 1
        rfm[f"{name}_score"] = 1 + (5 * rank.astype(np.int64)) // total
    return s, rfm


def worker_pandas(path: str, out: str | None, repeat: int) -> dict:
    t0 = time.perf_counter()
    df = pq.read_table(path).to_pandas()
    load = time.perf_counter() - t0
    (s, rfm), times = timed_runs(lambda: pandas_lifecycle(df, AS_OF), repeat)
    return {**times, "load": load, "rows": len(s), "rfm_rows": len(rfm)}


LIFETIMES_SCRIPT = """
import json, resource, sys, time
import pandas as pd
from lifetimes.utils import summary_data_from_transaction_data
path, as_of, out, repeat = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
t0 = time.perf_counter()
df = pd.read_parquet(path, columns=["customer_id", "ordered_at", "amount"])
df["ordered_at"] = df["ordered_at"].dt.tz_localize(None)
load = time.perf_counter() - t0
walls, cpus = [], []
for _ in range(repeat):
    t0 = time.perf_counter()
    u0 = resource.getrusage(resource.RUSAGE_SELF)
    s = summary_data_from_transaction_data(
        df, "customer_id", "ordered_at", monetary_value_col="amount",
        observation_period_end=as_of, freq="D")
    walls.append(time.perf_counter() - t0)
    u1 = resource.getrusage(resource.RUSAGE_SELF)
    cpus.append(u1.ru_utime + u1.ru_stime - u0.ru_utime - u0.ru_stime)
if out != "-":
    s.reset_index().to_parquet(out)
median = lambda xs: sorted(xs)[len(xs) // 2]
print(json.dumps({"seconds": median(walls), "cpu": median(cpus), "first": walls[0],
    "runs": [round(w, 2) for w in walls], "load": load, "rows": len(s),
    "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def run_lifetimes(path: str, out: str | None, timeout: int, repeat: int) -> dict:
    if not Path(LIFETIMES_PYTHON).exists():
        return {"error": f"no {LIFETIMES_PYTHON}: set LIFETIMES_PYTHON"}
    try:
        done = subprocess.run(
            [
                LIFETIMES_PYTHON,
                "-c",
                LIFETIMES_SCRIPT,
                path,
                AS_OF.isoformat(),
                out or "-",
                str(repeat),
            ],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=True,
        )
    except subprocess.TimeoutExpired:
        return {"error": f"did not finish in {timeout} s"}
    except subprocess.CalledProcessError as exc:
        return {"error": exc.stderr.strip().splitlines()[-1]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def worker_postgres(path: str, out: str | None, url: str, repeat: int) -> dict:
    import adbc_driver_postgresql.dbapi as adbc
    import ibis
    from sqlalchemy.engine import make_url

    from retain.store.frames import _libpq_uri

    schema = "bench_lifecycle"
    libpq = _libpq_uri(make_url(url))
    table = pq.read_table(path)
    t0 = time.perf_counter()
    with adbc.connect(libpq) as conn, conn.cursor() as cur:
        cur.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        cur.execute(f"CREATE SCHEMA {schema}")
        cur.adbc_ingest("orders", table, mode="create", db_schema_name=schema)
        cur.execute(f"ANALYZE {schema}.orders")
        conn.commit()
    load = time.perf_counter() - t0
    del table
    parsed = make_url(url)
    con = ibis.postgres.connect(
        host=parsed.host,
        port=parsed.port or 5432,
        user=parsed.username,
        password=parsed.password,
        database=parsed.database,
        schema=schema,
    )
    try:
        con.raw_sql("SET work_mem = '256MB'").close()
        orders = con.table("orders")
        (stages, rfm), times = timed_runs(lambda: retain_lifecycle(orders, AS_OF), repeat)
    finally:
        con.raw_sql(f"DROP SCHEMA {schema} CASCADE").close()
        con.disconnect()
    del times["cpu"]  # the server's, not this process's
    return {**times, "load": load, "rows": stages.num_rows, "rfm_rows": rfm.num_rows}


def worker_spark(path: str, out: str | None, repeat: int) -> dict:
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    import ibis
    from pyspark.sql import SparkSession

    t0 = time.perf_counter()
    spark = (
        SparkSession.builder.master("local[2]")
        .config("spark.driver.memory", "6g")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "8")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    startup = time.perf_counter() - t0
    con = ibis.pyspark.connect(spark)
    orders = con.read_parquet(path)
    (stages, rfm), times = timed_runs(lambda: retain_lifecycle(orders, AS_OF), repeat)
    spark.stop()
    del times["cpu"]  # the JVM's is not counted
    return {**times, "load": startup, "rows": stages.num_rows, "rfm_rows": rfm.num_rows}


# ---------------------------------------------------------------- driver


def run_worker(name: str, path: str, out: str | None, args) -> dict:
    if name == "lifetimes":
        return run_lifetimes(path, out, args.timeout, args.repeat)
    cmd = [sys.executable, __file__, "--worker", name, "--data", path, "--repeat", str(args.repeat)]
    if out:
        cmd += ["--out", out]
    if name == "postgres":
        cmd += ["--postgres-url", args.postgres_url]
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=args.timeout, check=True)
    except subprocess.TimeoutExpired:
        return {"error": f"did not finish in {args.timeout} s"}
    except subprocess.CalledProcessError as exc:
        return {"error": (exc.stderr.strip().splitlines() or ["failed"])[-1]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def check_against_lifetimes(ours: str, theirs: str) -> str:
    a = pd.read_parquet(ours).set_index("customer_id").sort_index()
    b = pd.read_parquet(theirs).set_index("customer_id").sort_index()
    if not a.index.equals(b.index):
        return f"customers differ: {len(a)} ours, {len(b)} lifetimes"
    worst = {c: float((a[c] - b[c]).abs().max()) for c in ("frequency", "recency", "T")}
    money = float(((a.monetary_value - b.monetary_value).abs() / b.monetary_value.clip(1)).max())
    same = all(v == 0 for v in worst.values()) and money < 1e-9
    verdict = "identical" if same else "DIFFERENT"
    return f"{verdict} (max abs diff {worst}, monetary rel diff {money:.1e}, {len(a):,} customers)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=10_000_000)
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--engines", default="duckdb,pandas,lifetimes")
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get(
            "RETAIN_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1/test"
        ),
    )
    parser.add_argument("--timeout", type=int, default=1800)
    parser.add_argument(
        "--repeat",
        type=int,
        default=3,
        help="runs per contender, in one process each; the table gives the median "
        "and the first run (default 3)",
    )
    parser.add_argument(
        "--keep-data",
        metavar="FILE",
        help="read the orders from this Parquet file, writing it first if it does not exist",
    )
    parser.add_argument("--data", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.worker:
        fn = {
            "duckdb": lambda: worker_duckdb(args.data, args.out, args.repeat),
            "pandas": lambda: worker_pandas(args.data, args.out, args.repeat),
            "postgres": lambda: worker_postgres(
                args.data, args.out, args.postgres_url, args.repeat
            ),
            "spark": lambda: worker_spark(args.data, args.out, args.repeat),
        }[args.worker]
        result = fn()
        result["peak_mb"] = peak_mb()
        print(json.dumps(result))
        return

    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    unknown = set(engines) - set(ENGINES)
    if unknown:
        parser.error(f"unknown engine(s) {', '.join(sorted(unknown))}; use {', '.join(ENGINES)}")
    with tempfile.TemporaryDirectory(prefix="retain-bench-") as tmp:
        path = args.keep_data or str(Path(tmp) / "orders.parquet")
        t0 = time.perf_counter()
        if not Path(path).exists():
            pq.write_table(generate(args.orders, args.customers), path)
        print(
            f"{args.orders:,} orders of up to {args.customers:,} customers, as of {AS_OF} "
            f"(generated in {time.perf_counter() - t0:.1f} s)\n"
        )
        outs = {"duckdb": str(Path(tmp) / "ours.parquet"), "lifetimes": None}
        if "lifetimes" in engines and "duckdb" in engines:
            outs["lifetimes"] = str(Path(tmp) / "lifetimes.parquet")
        results = {}
        for name in engines:
            results[name] = run_worker(name, path, outs.get(name), args)
            print(f"  {name}: {results[name]}", file=sys.stderr)
        base = results.get("duckdb", {}).get("seconds")
        what = {
            "duckdb": "Retain (Ibis on DuckDB): summary + stages + RFM",
            "pandas": "plain pandas groupby: summary + stages + RFM",
            "lifetimes": "lifetimes summary_data_from_transaction_data (summary only)",
            "postgres": "Retain on the PostgreSQL server: summary + stages + RFM",
            "spark": "Retain on PySpark local[2]: summary + stages + RFM",
        }
        print(f"median of {args.repeat} run(s) per contender; 'first s' is the first run\n")
        print(f"| {'engine':<62} | time s | x Retain DuckDB | first s | CPU s | peak MB | load s |")
        print(f"|{'-' * 64}|-------:|---------------:|--------:|------:|--------:|-------:|")
        for name in engines:
            r = results[name]
            if "error" in r:
                print(f"| {what[name]:<62} | {r['error']} |")
                continue
            ratio = f"{r['seconds'] / base:.2f}" if base else "-"
            cpu = f"{r['cpu']:5.1f}" if "cpu" in r else "    -"
            print(
                f"| {what[name]:<62} | {r['seconds']:6.2f} | {ratio:>14} | {r['first']:7.2f} | "
                f"{cpu} | {r['peak_mb']:7.0f} | {r['load']:6.1f} |"
            )
        if outs.get("lifetimes") and "error" not in results.get("lifetimes", {"error": 1}):
            print(
                "\nRetain's summary vs lifetimes':",
                check_against_lifetimes(outs["duckdb"], outs["lifetimes"]),
            )


if __name__ == "__main__":
    main()
