"""Opening a records store: SQLite (WAL, foreign keys, busy timeout) or PostgreSQL.

Write transactions on SQLite begin with ``BEGIN IMMEDIATE``: a deferred
transaction that reads and then writes fails at once with "database is
locked" when another process writes, whatever the busy timeout.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, inspect
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError
from sqlalchemy.orm import Session

from retain.errors import ConfigError, StoreError

BUSY_TIMEOUT_MS = 5000


@dataclass
class Store:
    """An open records store. ``url`` is the SQLAlchemy URL (password hidden in ``repr``)."""

    engine: Engine
    url: str

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self.engine.dialect.name

    @property
    def schema(self) -> str | None:
        """The PostgreSQL schema the tables live in (None: the default search path)."""
        return self.engine.get_execution_options().get("retain_schema")

    def __repr__(self) -> str:
        return f"Store({self.engine.url.render_as_string(hide_password=True)!r})"

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A connection in a read transaction."""
        with self.engine.connect() as conn, conn.begin():
            yield conn

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """A connection in a write transaction: committed if the block ends, else rolled back."""
        with self.engine.connect() as conn:
            conn = conn.execution_options(retain_begin="IMMEDIATE")
            with conn.begin():
                yield conn

    @contextmanager
    def session(self, write: bool = True) -> Iterator[Session]:
        """An ORM session in one transaction (``BEGIN IMMEDIATE`` on SQLite when writing)."""
        with self.write() if write else self.read() as conn, Session(bind=conn) as session:
            yield session
            session.flush()

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()


def _sqlite_engine(url: str, **kwargs: Any) -> Engine:
    engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000}, **kwargs)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        mode = conn.get_execution_options().get("retain_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")

    return engine


def open_store(url: str, *, upgrade: bool = True, schema: str | None = None) -> Store:
    """Open the store at ``url`` and bring it to the newest schema when ``upgrade``.

    ``schema`` puts the tables of a PostgreSQL store in that schema (tests use
    a fresh one each); it must exist.
    """
    if not url.startswith(("sqlite", "postgresql")):
        raise ConfigError(
            f"cannot use database URL {url!r}: Retain stores records in SQLite or PostgreSQL. "
            "Use a file path, sqlite:///FILE or postgresql+psycopg://USER@HOST/DB"
        )
    try:
        if url.startswith("sqlite"):
            path = url.split("///", 1)[-1]
            if path and path != ":memory:":
                parent = Path(path).expanduser().resolve().parent
                if not parent.exists():
                    raise ConfigError(f"cannot create database {path}: folder {parent} missing")
            engine = _sqlite_engine(url)
        else:
            kwargs: dict[str, Any] = {"pool_pre_ping": True}
            if schema:
                kwargs["connect_args"] = {"options": f"-csearch_path={schema}"}
            engine = create_engine(url, **kwargs)
            if schema:
                engine = engine.execution_options(retain_schema=schema)
    except (ArgumentError, NoSuchModuleError, ImportError) as exc:
        raise ConfigError(
            f"cannot use database URL {url!r}: {exc}. Use a file path, "
            "sqlite:///FILE or postgresql+psycopg://USER@HOST/DB"
        ) from exc
    store = Store(engine=engine, url=url)
    try:
        with engine.connect():
            pass
    except OperationalError as exc:
        raise StoreError(
            f"cannot open database {store.engine.url.render_as_string(hide_password=True)}: "
            f"{str(exc.orig).strip().splitlines()[0]}"
        ) from exc
    if upgrade:
        from retain.store.migrate import upgrade_to_head

        upgrade_to_head(store)
    return store


def table_names(store: Store) -> list[str]:
    """The tables present in the store, sorted."""
    return sorted(inspect(store.engine).get_table_names(schema=store.schema))
