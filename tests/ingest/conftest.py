"""Helpers for import tests: write a file, import it, read the store back."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from retain.config import Settings
from retain.ingest import import_file
from retain.store.schema import Customer, Order


@pytest.fixture
def settings() -> Settings:
    """A business in Berlin that sells in euros."""
    return Settings(timezone="Europe/Berlin", currency="EUR")


@pytest.fixture
def write(tmp_path):
    """``write(name, text_or_bytes)`` -> path of a file in the test's folder."""

    def _write(name: str, content: str | bytes, encoding: str = "utf-8") -> Path:
        path = tmp_path / name
        path.write_bytes(content if isinstance(content, bytes) else content.encode(encoding))
        return path

    return _write


@pytest.fixture
def run(store, settings):
    """``run(kind, path, **options)`` imports into the test's store."""

    def _run(kind: str, path: Path, **options):
        return import_file(store, kind, path, settings=settings, **options)

    return _run


@pytest.fixture
def snapshot():
    """``snapshot(store)``: every customer and order as tuples, to compare before and after."""
    return take_snapshot


def take_snapshot(store) -> dict[str, list[tuple]]:
    """Every customer and order, as plain tuples."""
    with store.session(write=False) as s:
        customers = [
            (c.external_id, c.name, c.email, c.country, c.email_consent)
            for c in s.scalars(select(Customer).order_by(Customer.external_id))
        ]
        orders = [
            (
                o.external_id,
                o.customer_id,
                o.ordered_at,
                o.amount_minor,
                o.currency,
                o.status,
                o.refunded_minor,
                o.product_category,
            )
            for o in s.scalars(select(Order).order_by(Order.external_id))
        ]
    return {"customers": customers, "orders": orders}
