"""Idempotent bulk upserts of imported records, set-based, in one transaction.

The records are first written to a temporary staging table (``executemany``
on SQLite, ``COPY`` on PostgreSQL), then merged into the target table with a
few statements: create customers named only by id or e-mail, resolve
customer keys, count unchanged and changed rows, ``UPDATE ... FROM`` the
changed ones and ``INSERT ... SELECT`` the new ones. On SQLite the staging
table lives in the connection's temp database, so the main database is
locked (``BEGIN IMMEDIATE``) only for the short merge.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import (
    Column,
    Connection,
    Integer,
    MetaData,
    String,
    Table,
    and_,
    exists,
    func,
    insert,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.sql.elements import ColumnElement

from retain.store.engine import Store
from retain.store.schema import (
    Customer,
    Feedback,
    ImportBatch,
    Interaction,
    Order,
    Survey,
    User,
)

TARGETS = {
    "customers": Customer.__table__,
    "orders": Order.__table__,
    "interactions": Interaction.__table__,
    "feedback": Feedback.__table__,
}
#: helper columns a record may carry that are not columns of its table
REF_COLUMNS = (
    "customer_external_id",
    "customer_email",
    "customer_name",
    "owner_username",
    "survey_name",
)
STAGE_BATCH_ROWS = 50_000
#: SQLite page cache of an importing connection, KiB (the default is 2 MiB)
IMPORT_CACHE_KIB = 256 * 1024

Progress = Callable[[int], None]


@dataclass(frozen=True)
class MergeCounts:
    """What a merge did: records inserted, updated and unchanged; customers created."""

    inserted: int
    updated: int
    unchanged: int
    customers_created: int
    batch_id: int


def known_usernames(store: Store) -> set[str]:
    """Usernames of the store's users (an import may name a customer's owner)."""
    with store.read() as conn:
        return set(conn.scalars(select(User.username)))


def merge_records(
    store: Store,
    kind: str,
    records: pd.DataFrame,
    *,
    file_name: str,
    checksum: str,
    rows_read: int,
    rows_rejected: int,
    run_by: str | None,
    now: datetime,
    progress: Progress | None = None,
) -> MergeCounts:
    """Upsert ``records`` (store column names) of ``kind`` keyed by ``external_id``.

    All or nothing: if anything fails, the store is as before.
    """
    target = TARGETS[kind]
    stage = _stage_table(target, records.columns)
    with store.engine.connect() as conn, _import_pragmas(conn, store.dialect):
        with conn.begin():
            stage.create(conn)
            _fill(conn, stage, records, store.dialect, progress)
        conn.execution_options(retain_begin="IMMEDIATE")
        with conn.begin():
            batch_id = conn.execute(
                insert(ImportBatch.__table__).returning(ImportBatch.__table__.c.id),
                {
                    "kind": kind,
                    "file_name": file_name,
                    "checksum": checksum,
                    "rows_read": rows_read,
                    "rows_rejected": rows_rejected,
                    "started_at": now,
                    "run_by": run_by,
                    "rows_inserted": 0,
                    "rows_updated": 0,
                    "rows_unchanged": 0,
                },
            ).scalar_one()
            created = 0
            if "customer_external_id" in stage.c or "customer_email" in stage.c:
                created = _resolve_customers(
                    conn, stage, create=kind != "feedback", now=now, batch_id=batch_id
                )
            if "owner_username" in stage.c:
                conn.execute(
                    update(stage).values(
                        owner_id=select(User.id)
                        .where(User.username == stage.c.owner_username)
                        .scalar_subquery()
                    )
                )
            if "survey_name" in stage.c:
                _resolve_surveys(conn, stage, now)
            counts = _merge(conn, target, stage, now, batch_id)
            conn.execute(
                update(ImportBatch.__table__)
                .where(ImportBatch.__table__.c.id == batch_id)
                .values(
                    rows_inserted=counts[0],
                    rows_updated=counts[1],
                    rows_unchanged=counts[2],
                    finished_at=datetime.now(UTC),
                )
            )
            stage.drop(conn)
    return MergeCounts(*counts, customers_created=created, batch_id=batch_id)


@contextmanager
def _import_pragmas(conn: Connection, dialect: str) -> Iterator[None]:
    """On SQLite: staging in memory and a large page cache, for this connection while it imports."""
    raw = conn.connection.driver_connection
    if dialect != "sqlite" or raw is None:
        yield
        return
    raw.execute("PRAGMA temp_store=MEMORY")
    raw.execute(f"PRAGMA cache_size=-{IMPORT_CACHE_KIB}")
    try:
        yield
    finally:
        raw.execute("PRAGMA temp_store=DEFAULT")
        raw.execute("PRAGMA cache_size=-2000")


def _stage_table(target: Table, columns: pd.Index) -> Table:
    cols: list[Column[Any]] = [Column("target_id", Integer)]
    for name in columns:
        if name in REF_COLUMNS:
            cols.append(Column(name, String(500)))
        else:
            cols.append(Column(name, target.c[name].type))
    if "customer_id" in target.c:
        cols.append(Column("customer_id", Integer))
    if "owner_username" in columns:
        cols.append(Column("owner_id", Integer))
    if "survey_name" in columns:
        cols.append(Column("survey_id", Integer))
    return Table(f"retain_stage_{target.name}", MetaData(), *cols, prefixes=["TEMPORARY"])


def _db_values(series: pd.Series, dialect: str) -> list[Any]:
    """A column as Python values the DBAPI driver takes directly (bypassing SQLAlchemy types).

    Times become UTC text in the store's own format, booleans 0/1 on SQLite, lists and
    dicts JSON text, missing values None.
    """
    if series.empty:
        return []  # numpy's string replace fails on an empty array
    if isinstance(series.dtype, pd.DatetimeTZDtype):
        naive = series.dt.tz_convert(UTC).dt.tz_localize(None).to_numpy("datetime64[us]")
        text = np.char.replace(np.datetime_as_string(naive, unit="us"), "T", " ").astype(object)
        if dialect != "sqlite":
            text = text + "+00"
        text[pd.isna(series).to_numpy()] = None
        return text.tolist()
    if series.dtype == "boolean" and dialect == "sqlite":
        series = series.astype("Int64")
    values = series.to_numpy(dtype=object, na_value=None).tolist()
    sample = next((x for x in values if x is not None), None)
    if isinstance(sample, list | dict):
        return [None if x is None else json.dumps(x, ensure_ascii=False) for x in values]
    if isinstance(sample, np.generic):
        return [None if x is None else x.item() for x in values]
    return values


def _fill(
    conn: Connection, stage: Table, records: pd.DataFrame, dialect: str, progress: Progress | None
) -> None:
    names = list(records.columns)
    columns = [_db_values(records[n], dialect) for n in names]
    rows = list(zip(*columns, strict=True)) if columns else []
    raw = conn.connection.driver_connection
    assert raw is not None
    if dialect == "postgresql":
        with (
            raw.cursor() as cur,
            cur.copy(f"COPY {stage.name} ({', '.join(names)}) FROM STDIN") as copy,
        ):
            for start in range(0, len(rows), STAGE_BATCH_ROWS):
                for row in rows[start : start + STAGE_BATCH_ROWS]:
                    copy.write_row(row)
                if progress:
                    progress(min(STAGE_BATCH_ROWS, len(rows) - start))
        return
    sql = f"INSERT INTO {stage.name} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})"
    cur = raw.cursor()
    for start in range(0, len(rows), STAGE_BATCH_ROWS):
        cur.executemany(sql, rows[start : start + STAGE_BATCH_ROWS])
        if progress:
            progress(min(STAGE_BATCH_ROWS, len(rows) - start))
    cur.close()


def _resolve_customers(
    conn: Connection, stage: Table, *, create: bool, now: datetime, batch_id: int
) -> int:
    """Create customers the records name but the store lacks; set ``stage.customer_id``."""
    customers = Customer.__table__
    c = stage.c
    ext = c.get("customer_external_id")
    email = c.get("customer_email")
    name = c.get("customer_name")
    before = conn.execute(select(func.count()).select_from(customers)).scalar_one()
    stamp = {
        "created_at": literal(now, customers.c.created_at.type),
        "updated_at": literal(now, customers.c.updated_at.type),
    }
    if create and ext is not None:
        new = (
            select(
                ext.label("external_id"),
                (func.min(email) if email is not None else literal(None)).label("email"),
                (func.min(name) if name is not None else literal(None)).label("name"),
                *(v.label(k) for k, v in stamp.items()),
                literal(batch_id).label("import_batch_id"),
            )
            .where(ext.is_not(None), ~exists().where(customers.c.external_id == ext))
            .group_by(ext)
        )
        conn.execute(
            insert(customers).from_select(
                ["external_id", "email", "name", *stamp, "import_batch_id"], new
            )
        )
    if create and email is not None:
        only_email = email.is_not(None) if ext is None else and_(ext.is_(None), email.is_not(None))
        new = (
            select(
                email.label("external_id"),
                email.label("email"),
                (func.min(name) if name is not None else literal(None)).label("name"),
                *(v.label(k) for k, v in stamp.items()),
                literal(batch_id).label("import_batch_id"),
            )
            .where(
                only_email,
                ~exists().where(or_(customers.c.email == email, customers.c.external_id == email)),
            )
            .group_by(email)
        )
        conn.execute(
            insert(customers).from_select(
                ["external_id", "email", "name", *stamp, "import_batch_id"], new
            )
        )
    created = conn.execute(select(func.count()).select_from(customers)).scalar_one() - before
    # UPDATE ... FROM joins: hash joins on PostgreSQL, index lookups on SQLite
    if ext is not None:
        conn.execute(
            update(stage).where(customers.c.external_id == ext).values(customer_id=customers.c.id)
        )
    if email is not None:
        first = (
            select(customers.c.email, func.min(customers.c.id).label("id"))
            .where(customers.c.email.in_(select(email).where(email.is_not(None))))
            .group_by(customers.c.email)
            .subquery()
        )
        conn.execute(
            update(stage)
            .where(stage.c.customer_id.is_(None), first.c.email == email)
            .values(customer_id=first.c.id)
        )
    return created


def _resolve_surveys(conn: Connection, stage: Table, now: datetime) -> None:
    """Create the surveys named by imported answers; set ``stage.survey_id``."""
    surveys = Survey.__table__
    c = stage.c
    new = (
        select(
            c.survey_name,
            func.min(c.kind),
            literal("How likely are you to recommend us to a friend or colleague?"),
            literal("closed"),
            literal(now, surveys.c.created_at.type),
        )
        .where(c.survey_name.is_not(None), ~exists().where(surveys.c.name == c.survey_name))
        .group_by(c.survey_name)
    )
    conn.execute(
        insert(surveys).from_select(["name", "kind", "question", "status", "created_at"], new)
    )
    conn.execute(
        update(stage).values(
            survey_id=select(surveys.c.id).where(surveys.c.name == c.survey_name).scalar_subquery()
        )
    )


def _merge(
    conn: Connection, target: Table, stage: Table, now: datetime, batch_id: int
) -> tuple[int, int, int]:
    """Insert new records, update changed ones; returns (inserted, updated, unchanged)."""
    conn.execute(
        update(stage)
        .where(target.c.external_id == stage.c.external_id)
        .values(target_id=target.c.id)
    )
    data_cols = [c.name for c in stage.c if c.name in target.c and c.name not in ("external_id",)]
    changed: ColumnElement[bool] = (
        or_(*(target.c[n].is_distinct_from(stage.c[n]) for n in data_cols))
        if data_cols
        else literal(False)
    )
    matched = select(func.count()).select_from(stage).where(stage.c.target_id.is_not(None))
    total = conn.execute(select(func.count()).select_from(stage)).scalar_one()
    existing = conn.execute(matched).scalar_one()
    updated = conn.execute(
        select(func.count())
        .select_from(stage)
        .join(target, target.c.id == stage.c.target_id)
        .where(changed)
    ).scalar_one()
    if updated:
        conn.execute(
            update(target)
            .where(target.c.id == stage.c.target_id, changed)
            .values(
                {
                    **{n: stage.c[n] for n in data_cols},
                    "updated_at": now,
                    "import_batch_id": batch_id,
                }
            )
        )
    inserted = total - existing
    if inserted:
        cols = ["external_id", *data_cols]
        stamp = [
            literal(now, target.c.created_at.type).label("created_at"),
            literal(now, target.c.updated_at.type).label("updated_at"),
            literal(batch_id).label("import_batch_id"),
        ]
        source = select(*(stage.c[n] for n in cols), *stamp).where(stage.c.target_id.is_(None))
        conn.execute(
            insert(target).from_select(
                [*cols, "created_at", "updated_at", "import_batch_id"], source
            )
        )
    return inserted, updated, existing - updated
