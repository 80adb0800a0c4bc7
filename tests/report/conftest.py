"""One demo business per test module, loaded into a SQLite store (building it takes seconds)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest

from retain.config import Settings
from retain.demo import generate_business, write_business
from retain.ingest import import_file
from retain.store import Store, open_store
from retain.voice import close_loop

AS_OF = date(2026, 11, 1)


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The URL of a store holding the demo business of 1500 customers (seed 5), with a
    follow-up case for every detractor answer."""
    folder = tmp_path_factory.mktemp("report-demo")
    files = write_business(generate_business(1500, end=AS_OF, seed=5), folder / "files")
    url = f"sqlite:///{folder / 'retain.db'}"
    store = open_store(url)
    try:
        for kind in ("customers", "orders", "interactions", "feedback"):
            import_file(store, kind, files[kind], settings=Settings())
        close_loop(store, now=datetime(2026, 10, 1, tzinfo=UTC))
    finally:
        store.dispose()
    yield url


@pytest.fixture(scope="module")
def demo_store(demo_url: str) -> Iterator[Store]:
    """The demo store, opened once per module."""
    store = open_store(demo_url)
    yield store
    store.dispose()
