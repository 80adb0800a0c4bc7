"""Confirmed competitors and merged-away duplicates are left out of analytics and outreach.

The hand-made shop: REAL bought 100 and 50 days ago and answered 9; NEWBIE
bought 10 days ago; RIVAL, a confirmed competitor, bought 100 and 20 days ago
and answered 0; GONE was merged into REAL (his records moved there).
Counted: REAL and NEWBIE only.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import update
from typer.testing import CliRunner

from retain.cli.app import app
from retain.store import open_store
from retain.store.frames import analytics_tables, counted_only, read_arrow
from retain.store.schema import Customer, Feedback, Order

from .conftest import NOW, add_customer

runner = CliRunner()
AS_OF = NOW.date().isoformat()


def _order(store, cid: int, days_ago: int, n: int) -> None:
    with store.session() as s:
        s.add(
            Order(
                external_id=f"o-{cid}-{n}",
                customer_id=cid,
                ordered_at=NOW - timedelta(days=days_ago),
                amount_minor=2000,
                currency="EUR",
                product_category="Shoes",
                created_at=NOW,
                updated_at=NOW,
            )
        )


def _answer(store, cid: int, score: int) -> None:
    with store.session() as s:
        s.add(
            Feedback(
                external_id=f"f-{cid}",
                customer_id=cid,
                kind="nps",
                score=score,
                nps_score=score,
                responded_at=NOW - timedelta(days=5),
                created_at=NOW,
                updated_at=NOW,
            )
        )


def seed_shop(store) -> dict[str, int]:
    """The shop of the module docstring; store ids by external id."""
    first = NOW - timedelta(days=400)
    ids = {
        ext: add_customer(store, ext, first_seen_at=first, email=f"{ext.lower()}@example.com")
        for ext in ("REAL", "NEWBIE", "RIVAL", "GONE")
    }
    for n, d in enumerate((100, 50)):
        _order(store, ids["REAL"], d, n)
    _order(store, ids["NEWBIE"], 10, 0)
    for n, d in enumerate((100, 20)):
        _order(store, ids["RIVAL"], d, n)
    _answer(store, ids["REAL"], 9)
    _answer(store, ids["RIVAL"], 0)
    with store.write() as conn:
        t = Customer.__table__
        conn.execute(update(t).where(t.c.id == ids["RIVAL"]).values(competitor_status="confirmed"))
        conn.execute(update(t).where(t.c.id == ids["GONE"]).values(merged_into_id=ids["REAL"]))
    return ids


def test_read_arrow_leaves_them_out_unless_asked(store) -> None:
    ids = seed_shop(store)
    people = read_arrow(store, "customers").column("customer_id").to_pylist()
    assert sorted(people) == sorted([ids["REAL"], ids["NEWBIE"]])
    orders = read_arrow(store, "orders").column("customer_id").to_pylist()
    assert sorted(orders) == [ids["REAL"], ids["REAL"], ids["NEWBIE"]]
    answers = read_arrow(store, "feedback").column("customer_id").to_pylist()
    assert answers == [ids["REAL"]]
    assert read_arrow(store, "customers", with_excluded=True).num_rows == 4
    assert read_arrow(store, "orders", with_excluded=True).num_rows == 5


@pytest.mark.parametrize("engine", ["duckdb", "postgres"])
def test_analytics_tables_leave_them_out_on_every_engine(store, engine) -> None:
    if engine == "postgres" and store.dialect != "postgresql":
        pytest.skip("the postgres engine needs a PostgreSQL store")
    ids = seed_shop(store)
    with analytics_tables(store, ("orders", "customers", "feedback"), engine=engine) as t:
        people = t["customers"].customer_id.to_pyarrow().to_pylist()
        orders = t["orders"].customer_id.to_pyarrow().to_pylist()
        answers = t["feedback"].customer_id.to_pyarrow().to_pylist()
    assert sorted(people) == sorted([ids["REAL"], ids["NEWBIE"]])
    assert sorted(orders) == [ids["REAL"], ids["REAL"], ids["NEWBIE"]]
    assert answers == [ids["REAL"]]
    with analytics_tables(store, ("orders",), engine=engine, with_excluded=True) as t:
        assert t["orders"].count().to_pyarrow().as_py() == 5


def test_counted_only_keeps_rows_without_a_customer() -> None:
    import pyarrow as pa

    table = pa.table({"customer_id": pa.array([1, None, 2, 3], pa.int64())})
    assert counted_only(table, {2}).column("customer_id").to_pylist() == [1, None, 3]
    assert counted_only(table, set()) is table


@pytest.fixture
def shop_url(tmp_path) -> str:
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    store = open_store(url)
    seed_shop(store)
    store.dispose()
    return url


def _json(*args: str):
    result = runner.invoke(app, [*args, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_lifecycle_rfm_cohorts_and_nps_count_only_real_customers(shop_url) -> None:
    stages = _json("lifecycle", "--as-of", AS_OF, "--db", shop_url)
    assert sum(r["customers"] for r in stages) == 2
    listed = _json("lifecycle", "--customers", "--as-of", AS_OF, "--db", shop_url)
    assert sorted(r["customer_id"] for r in listed) == ["NEWBIE", "REAL"]
    rfm = _json("rfm", "--customers", "--as-of", AS_OF, "--db", shop_url)
    assert sorted(r["customer_id"] for r in rfm) == ["NEWBIE", "REAL"]
    cohorts = _json("cohorts", "--as-of", AS_OF, "--db", shop_url)
    sizes = {r["cohort"]: r["cohort_customers"] for r in cohorts if r["months_since"] == 0}
    assert sizes == {"2025-11": 1, "2026-02": 1}  # RIVAL's first order is in 2025-11 too
    nps = _json("nps", "--db", shop_url)
    assert (nps[0]["n"], nps[0]["score"]) == (1, 100.0)  # RIVAL's 0 would make it 1 answer more


def test_plan_never_lists_a_confirmed_competitor(shop_url) -> None:
    rows = _json("plan", "--as-of", AS_OF, "--dry-run", "--db", shop_url)
    listed = {r["customer_id"] for r in rows}
    assert "RIVAL" not in listed and "GONE" not in listed
    assert "NEWBIE" in listed  # the after-sale follow-up: the plan did run
