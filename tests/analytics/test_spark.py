"""The analytics on Apache Spark (PySpark local mode) give the same results as on DuckDB.

Runs when pyspark is installed (``pip install -e '.[spark]'``); one small
SparkSession for the module (the JVM takes 5-30 s to start).
"""

from __future__ import annotations

import os
from datetime import date

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from retain.analytics import customer_stages, customer_summary, stage_history

from .test_engines import AS_OF, as_pandas, assert_same, synthetic

pytest.importorskip("pyspark")
pytestmark = [
    pytest.mark.slow,
    # pyspark's toPandas passes pandas' deprecated copy= keyword (pandas 3)
    pytest.mark.filterwarnings("ignore::pandas.errors.Pandas4Warning"),
    # py4j leaves its gateway sockets to the garbage collector
    pytest.mark.filterwarnings("ignore::ResourceWarning"),
    pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning"),
]


@pytest.fixture(scope="module")
def spark():
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[1]")
        .appName("retain-tests")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def test_summary_and_stages_on_spark_from_parquet(spark, tmp_path) -> None:
    import ibis

    orders, customers = as_pandas(*synthetic())
    pq.write_table(pa.Table.from_pandas(orders, preserve_index=False), tmp_path / "o.parquet")
    pq.write_table(pa.Table.from_pandas(customers, preserve_index=False), tmp_path / "c.parquet")
    con = ibis.pyspark.connect(spark)
    o = con.read_parquet(str(tmp_path / "o.parquet"))
    c = con.read_parquet(str(tmp_path / "c.parquet"))
    start = date(AS_OF.year, 1, 1)
    expected = {
        "summary": customer_summary(orders, AS_OF),
        "stages": customer_stages(orders, AS_OF, customers),
        "history": stage_history(orders, start, AS_OF, customers),
    }
    got = {
        "summary": customer_summary(o, AS_OF),
        "stages": customer_stages(o, AS_OF, c),
        "history": stage_history(o, start, AS_OF, c),
    }
    assert_same(expected, got)
    assert len(got["stages"]) == len(customers)
