"""One stage table per store, day and settings, computed once per process.

The report, the voice report, the audience, the dashboard and the outreach
plan all start from every customer's life-cycle stage. :func:`store_stages`
computes it once and hands out copies until the records change: the cache
key holds a fingerprint of the orders and customers (count, largest id,
latest update, read in one small query), so an import in between is seen.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

import pandas as pd

from retain.analytics.settings import lifecycle_settings
from retain.analytics.stages import customer_stages
from retain.analytics.tables import as_of_date

#: stage tables kept (least recently used dropped first)
MAX_ENTRIES = 4

_lock = threading.Lock()
_cache: OrderedDict[tuple[Any, ...], pd.DataFrame] = OrderedDict()
_stats = {"hits": 0, "misses": 0}


def store_stages(
    store: Any,
    as_of: date | datetime | str,
    settings: dict[str, Any] | None = None,
    *,
    tables: Mapping[str, Any] | None = None,
) -> pd.DataFrame:
    """Every customer's life-cycle stage in ``store`` as of the UTC day of ``as_of``.

    The frame of :func:`~retain.analytics.customer_stages` over the store's
    orders and customers (confirmed competitors and merged-away customers
    left out), run on the store's default engine (the PostgreSQL server for a
    PostgreSQL store, else DuckDB). ``settings``: the ``[lifecycle]`` section
    (overrides of :data:`~retain.analytics.DEFAULTS`). Memoised in-process on
    the store, the day, the settings and the records' fingerprint
    (:func:`retain.store.fingerprint.records_fingerprint`); the result is a
    copy, free to change. ``tables``: the store's ``orders`` and ``customers``
    already open (:func:`retain.store.frames.analytics_tables`), used on a
    miss instead of reading them again.
    """
    from retain.store.fingerprint import records_fingerprint
    from retain.store.frames import analytics_tables

    day = as_of_date(as_of)
    cfg = lifecycle_settings(settings)
    key = (
        str(store.url),
        store.schema,
        day,
        tuple(sorted(cfg.items())),
        records_fingerprint(store),
    )
    with _lock:
        found = _cache.get(key)
        if found is not None:
            _cache.move_to_end(key)
            _stats["hits"] += 1
            return found.copy()
    if tables is not None:
        stages = customer_stages(tables["orders"], day, tables["customers"], cfg)
    else:
        with analytics_tables(store, ("orders", "customers")) as opened:
            stages = customer_stages(opened["orders"], day, opened["customers"], cfg)
    with _lock:
        _stats["misses"] += 1
        _cache[key] = stages
        _cache.move_to_end(key)
        while len(_cache) > MAX_ENTRIES:
            _cache.popitem(last=False)
    return stages.copy()


def stage_cache_info() -> dict[str, int]:
    """``hits``, ``misses`` (computations) and ``entries`` of :func:`store_stages`' cache."""
    with _lock:
        return {**_stats, "entries": len(_cache)}


def clear_stage_cache() -> None:
    """Forget every cached stage table (the counts of :func:`stage_cache_info` stay)."""
    with _lock:
        _cache.clear()
