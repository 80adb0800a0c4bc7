"""Shared fixtures: a fresh records store per test, on SQLite and on PostgreSQL.

PostgreSQL tests run when ``RETAIN_TEST_POSTGRES_URL`` names a server (CI sets
it, e.g. ``postgresql+psycopg://postgres@127.0.0.1/test``); each test gets a
schema of its own, dropped afterwards.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from retain.store import Store, open_store

PG_URL = os.environ.get("RETAIN_TEST_POSTGRES_URL")


def pytest_configure(config: pytest.Config) -> None:
    os.environ.setdefault("RETAIN_CONFIG", os.devnull)  # ignore a retain.toml in the cwd


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A PostgreSQL URL whose search path is a fresh, empty schema (dropped after the test)."""
    if not PG_URL:
        pytest.skip("RETAIN_TEST_POSTGRES_URL is not set (CI sets it)")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(PG_URL)
    with admin.begin() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    sep = "&" if "?" in PG_URL else "?"
    try:
        yield f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path) -> str:
    """The URL of a fresh, empty database: a SQLite file, or a PostgreSQL schema."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'retain.db'}"
    return request.getfixturevalue("pg_url")


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    """A fresh store at the newest schema, on SQLite and on PostgreSQL."""
    opened = open_store(db_url)
    yield opened
    opened.dispose()


@pytest.fixture
def sqlite_store(tmp_path) -> Iterator[Store]:
    """A fresh SQLite store, for tests that need only the embedded default."""
    opened = open_store(f"sqlite:///{tmp_path / 'retain.db'}")
    yield opened
    opened.dispose()
