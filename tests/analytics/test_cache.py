"""store_stages: one stage table per store, day and settings, recomputed after an import."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from retain.analytics import cache, customer_stages, store_stages
from retain.config import Settings
from retain.ingest import import_file
from retain.store.frames import read_arrow

AS_OF = date(2026, 6, 30)
ORDERS = """order_id,customer_id,ordered_at,amount
A1,A,2025-08-01,100.00
A2,A,2025-11-01,100.00
A3,A,2026-02-01,100.00
B1,B,2026-06-01,50.00
"""
MORE = """order_id,customer_id,ordered_at,amount
C1,C,2026-06-10,80.00
"""


@pytest.fixture
def calls(monkeypatch) -> list[date]:
    """The days the real customer_stages was run for by store_stages."""
    seen: list[date] = []

    def counting(orders, as_of, customers=None, settings=None):
        seen.append(as_of)
        return customer_stages(orders, as_of, customers, settings)

    cache.clear_stage_cache()
    monkeypatch.setattr(cache, "customer_stages", counting)
    return seen


def _import(store, tmp_path, name: str, text: str) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    import_file(store, "orders", path, settings=Settings(currency="EUR"))


def _by_external_id(store, stages) -> dict[str, str]:
    people = read_arrow(store, "customers").to_pandas()
    names = dict(zip(people.customer_id, people.external_id, strict=True))
    return {names[c]: s for c, s in zip(stages.customer_id, stages.stage, strict=True)}


def test_computed_once_then_again_after_an_import(store, tmp_path, calls) -> None:
    _import(store, tmp_path, "orders.csv", ORDERS)
    first = store_stages(store, AS_OF)
    # A: three purchases, the last 149 days ago: lapsed; B: one purchase: new
    assert _by_external_id(store, first) == {"A": "lapsed", "B": "new"}
    # the same day given as a datetime is the same key: no second computation
    again = store_stages(store, datetime(2026, 6, 30, 18, 0))
    assert len(calls) == 1
    assert again.equals(first)
    # a copy: changing it does not change what the next caller gets
    again.loc[:, "stage"] = "changed"
    assert set(store_stages(store, AS_OF).stage) == {"lapsed", "new"}
    assert len(calls) == 1
    # another day or other settings: computed
    store_stages(store, date(2026, 6, 1))
    store_stages(store, AS_OF, {"loyal_purchases": 2})
    assert len(calls) == 3
    # an import in between: computed again, with the new customer
    _import(store, tmp_path, "more.csv", MORE)
    after = store_stages(store, AS_OF)
    assert len(calls) == 4
    assert _by_external_id(store, after) == {"A": "lapsed", "B": "new", "C": "new"}
    assert cache.stage_cache_info()["entries"] <= cache.MAX_ENTRIES


def test_bounded_least_recently_used(sqlite_store, tmp_path, calls) -> None:
    _import(sqlite_store, tmp_path, "orders.csv", ORDERS)
    days = [date(2026, 6, d) for d in range(1, cache.MAX_ENTRIES + 2)]
    for d in days:
        store_stages(sqlite_store, d)
    assert cache.stage_cache_info()["entries"] == cache.MAX_ENTRIES
    store_stages(sqlite_store, days[-1])  # kept
    assert len(calls) == len(days)
    store_stages(sqlite_store, days[0])  # the oldest was dropped
    assert len(calls) == len(days) + 1


def test_the_audience_from_the_cached_stages_is_the_same(sqlite_store, tmp_path) -> None:
    from retain.audience import audience_frame
    from retain.store.audience import customer_frame

    _import(sqlite_store, tmp_path, "orders.csv", ORDERS + MORE.split("\n", 1)[1])
    people = customer_frame(sqlite_store)
    orders = read_arrow(sqlite_store, "orders")
    own = audience_frame(people, orders, AS_OF, value=False)
    shared = audience_frame(
        people, orders, AS_OF, value=False, stages=store_stages(sqlite_store, AS_OF)
    )
    assert len(own) == 3
    assert own.equals(shared)
