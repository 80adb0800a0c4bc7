"""Reads and writes of the customer-value capability: the current CLV fit per model and
the per-customer scores (tables ``clv_fits`` and ``customer_scores``).

Only this module speaks SQL for :mod:`retain.clv.scores`; it takes and returns plain
dicts and pandas frames. Money is integer minor units.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pandas as pd
from sqlalchemy import Connection, delete, func, insert, select

from retain.store.engine import Store
from retain.store.schema import Case, ClvFit, Customer, CustomerScore, Interaction, Order
from retain.store.types import SQLITE_DATETIME_FORMAT

__all__ = ["FIT_COLUMNS", "SCORE_COLUMNS", "read_fits", "read_scores", "replace_scores", "service"]

#: columns of a score row (besides the fit's model, version, as_of, horizon, currency, time)
SCORE_COLUMNS = (
    "customer_id",
    "p_alive",
    "expected_purchases",
    "expected_spend_minor",
    "clv_minor",
)
FIT_COLUMNS = tuple(c.name for c in ClvFit.__table__.columns if c.name != "id")
_BATCH = 5000
#: columns every score row of one fit shares (copied from the fit)
_SHARED = ("fit_id", "model", "model_version", "as_of", "horizon_months", "currency", "fitted_at")


def replace_scores(store: Store, fit: dict[str, Any], scores: pd.DataFrame) -> int:
    """Store ``fit`` (a row of ``clv_fits`` by column name) as the current fit of its model
    and ``scores`` (:data:`SCORE_COLUMNS`) as that model's scores, in one transaction.

    The model's previous fit and all its previous scores are deleted first, so a re-run
    replaces rather than adds. Returns the id of the new fit.
    """
    fits, rows = ClvFit.__table__, CustomerScore.__table__
    model = fit["model"]
    with store.write() as conn:
        conn.execute(delete(rows).where(rows.c.model == model))
        conn.execute(delete(fits).where(fits.c.model == model))
        fit_id = conn.execute(
            insert(fits).values(**{c: fit[c] for c in FIT_COLUMNS}).returning(fits.c.id)
        ).scalar_one()
        _insert_scores(conn, store.dialect, int(fit_id), fit, scores)
    return int(fit_id)


def _insert_scores(
    conn: Connection, dialect: str, fit_id: int, fit: dict[str, Any], scores: pd.DataFrame
) -> None:
    """Bulk insert of the score rows through the driver (COPY on PostgreSQL, executemany on
    SQLite): SQLAlchemy's per-row parameter processing took 4.5 s per 100k rows."""
    fitted_at = fit["fitted_at"].astimezone(UTC)
    as_of: Any = fit["as_of"]
    if dialect == "sqlite":  # the text forms SQLAlchemy's Date and UTCDateTime write
        fitted_at = fitted_at.replace(tzinfo=None).strftime(SQLITE_DATETIME_FORMAT)
        as_of = as_of.isoformat()
    shared = (fit_id, fit["model"], fit["model_version"], as_of, int(fit["horizon_months"]),
              fit["currency"], fitted_at)  # fmt: skip
    columns = [scores[c].to_numpy() for c in SCORE_COLUMNS]
    records = [
        (int(cid), float(p), float(e), int(sp), int(v), *shared)
        for cid, p, e, sp, v in zip(*columns, strict=True)
    ]
    names = ", ".join((*SCORE_COLUMNS, *_SHARED))
    raw = conn.connection.driver_connection
    assert raw is not None
    if dialect == "postgresql":
        with raw.cursor() as cur, cur.copy(f"COPY customer_scores ({names}) FROM STDIN") as copy:
            for row in records:
                copy.write_row(row)
        return
    marks = ", ".join("?" * (len(SCORE_COLUMNS) + len(_SHARED)))
    cur = raw.cursor()
    for start in range(0, len(records), _BATCH):
        cur.executemany(
            f"INSERT INTO customer_scores ({names}) VALUES ({marks})",
            records[start : start + _BATCH],
        )
    cur.close()


def read_fits(store: Store) -> list[dict[str, Any]]:
    """The current fit of every model, newest first, as dicts (columns of ``clv_fits``)."""
    fits = ClvFit.__table__
    with store.read() as conn:
        found = conn.execute(select(fits).order_by(fits.c.fitted_at.desc(), fits.c.id.desc()))
        return [dict(r._mapping) for r in found]


def read_scores(store: Store, model: str) -> pd.DataFrame:
    """The stored scores of ``model``, with the customer's ``external_id``, by customer id.

    Columns: customer_id, external_id, p_alive, expected_purchases, expected_spend_minor,
    clv_minor, model, model_version, as_of, horizon_months, currency, fitted_at (the last
    six are the same for every row of a fit and read once from ``clv_fits``).
    """
    s, c, f = CustomerScore.__table__, Customer.__table__, ClvFit.__table__
    cols = [
        s.c.customer_id,
        c.c.external_id,
        s.c.p_alive,
        s.c.expected_purchases,
        s.c.expected_spend_minor,
        s.c.clv_minor,
    ]
    with store.read() as conn:
        fit = conn.execute(select(f).where(f.c.model == model)).first()
        query = select(s.c.fit_id, *cols).join(c, c.c.id == s.c.customer_id)
        query = query.where(s.c.model == model).order_by(s.c.customer_id)
        # plain tuples: pandas probes each Row object slowly (2.6 s per 100k rows)
        found = [tuple(row) for row in conn.execute(query)]
    frame = pd.DataFrame(found, columns=["fit_id", *(col.name for col in cols)])
    if fit is not None:
        frame = frame[frame.pop("fit_id") == fit.id].reset_index(drop=True)
    else:
        frame = frame.drop(columns="fit_id").iloc[0:0]
    for name in ("customer_id", "expected_spend_minor", "clv_minor"):
        frame[name] = frame[name].astype("int64")
    for name in ("p_alive", "expected_purchases"):
        frame[name] = frame[name].astype("float64")
    frame["external_id"] = frame["external_id"].astype("object")
    for name in ("model", "model_version", "as_of", "horizon_months", "currency", "fitted_at"):
        value = getattr(fit, name) if fit is not None else None
        frame[name] = pd.Series([value] * len(frame), dtype="object")
    frame["horizon_months"] = frame["horizon_months"].astype("int64")
    return frame


def service(store: Store, as_of: date | datetime) -> pd.DataFrame:
    """Per customer up to ``as_of`` (exclusive end of that day, UTC, when a date): the cost
    of goods of the orders (``cost_minor``), the cases opened and the touchpoints.

    Columns: customer_id, cost_minor, cases, touchpoints (0 where none), by customer id.
    """
    end = as_of if isinstance(as_of, datetime) else _day_end(as_of)
    o, k, i = Order.__table__, Case.__table__, Interaction.__table__
    queries = {
        "cost_minor": select(o.c.customer_id, func.coalesce(func.sum(o.c.cost_minor), 0))
        .where(o.c.ordered_at < end)
        .group_by(o.c.customer_id),
        "cases": select(k.c.customer_id, func.count())
        .where(k.c.opened_at < end)
        .group_by(k.c.customer_id),
        "touchpoints": select(i.c.customer_id, func.count())
        .where(i.c.occurred_at < end)
        .group_by(i.c.customer_id),
    }
    parts = []
    with store.read() as conn:
        for name, query in queries.items():
            found = [tuple(row) for row in conn.execute(query)]
            part = pd.DataFrame(found, columns=["customer_id", name]).set_index("customer_id")
            parts.append(part[name].astype("int64"))
    frame = pd.concat(parts, axis=1).fillna(0).astype("int64").sort_index()
    frame.index.name = "customer_id"
    return frame.reset_index()


def _day_end(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(days=1)
