"""A demo business (2,000 customers to 2026-11-01, seed 3, USD) imported into a fresh store."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from retain.config import load_settings
from retain.demo import generate_business, write_business
from retain.ingest import import_file

AS_OF = date(2026, 10, 31)


@pytest.fixture(scope="session")
def demo_files(tmp_path_factory) -> dict[str, Path]:
    business = generate_business(2000, end=date(2026, 11, 1), seed=3, currency="USD")
    return write_business(business, tmp_path_factory.mktemp("demo"))


@pytest.fixture
def usd(monkeypatch):
    monkeypatch.setenv("RETAIN_CURRENCY", "USD")
    return load_settings()


@pytest.fixture
def shop(store, demo_files, usd):
    """The store with the demo's customers, orders and interactions."""
    for kind in ("customers", "orders", "interactions"):
        import_file(store, kind, demo_files[kind], settings=usd)
    return store


def write_orders(path: Path, rows: list[tuple[str, str, str]]) -> Path:
    """An orders CSV (order id made up) from (customer, day, amount) rows."""
    lines = ["order_id,customer_id,ordered_at,amount"]
    lines += [f"O{i},{c},{d},{a}" for i, (c, d, a) in enumerate(rows)]
    path.write_text("\n".join(lines) + "\n")
    return path
