"""Reads and writes of the customer-value capability: the current CLV fit per model and
the per-customer scores (tables ``clv_fits`` and ``customer_scores``).

Only this module speaks SQL for :mod:`retain.clv.scores`; it takes and returns plain
dicts and pandas frames. Money is integer minor units.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pandas as pd
from sqlalchemy import delete, func, insert, select

from retain.store.engine import Store
from retain.store.schema import Case, ClvFit, Customer, CustomerScore, Interaction, Order

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


def replace_scores(store: Store, fit: dict[str, Any], scores: pd.DataFrame) -> int:
    """Store ``fit`` (a row of ``clv_fits`` by column name) as the current fit of its model
    and ``scores`` (:data:`SCORE_COLUMNS`) as that model's scores, in one transaction.

    The model's previous fit and all its previous scores are deleted first, so a re-run
    replaces rather than adds. Returns the id of the new fit.
    """
    fits, rows = ClvFit.__table__, CustomerScore.__table__
    model = fit["model"]
    shared = {
        "model": model,
        "model_version": fit["model_version"],
        "as_of": fit["as_of"],
        "horizon_months": int(fit["horizon_months"]),
        "currency": fit["currency"],
        "fitted_at": fit["fitted_at"],
    }
    records = [
        {
            "customer_id": int(cid),
            "p_alive": float(p),
            "expected_purchases": float(e),
            "expected_spend_minor": int(s),
            "clv_minor": int(v),
            **shared,
        }
        for cid, p, e, s, v in zip(
            *(scores[c].tolist() for c in SCORE_COLUMNS),
            strict=True,
        )
    ]
    with store.write() as conn:
        conn.execute(delete(rows).where(rows.c.model == model))
        conn.execute(delete(fits).where(fits.c.model == model))
        fit_id = conn.execute(
            insert(fits).values(**{c: fit[c] for c in FIT_COLUMNS}).returning(fits.c.id)
        ).scalar_one()
        for start in range(0, len(records), _BATCH):
            batch = [dict(r, fit_id=fit_id) for r in records[start : start + _BATCH]]
            conn.execute(insert(rows), batch)
    return int(fit_id)


def read_fits(store: Store) -> list[dict[str, Any]]:
    """The current fit of every model, newest first, as dicts (columns of ``clv_fits``)."""
    fits = ClvFit.__table__
    with store.read() as conn:
        found = conn.execute(select(fits).order_by(fits.c.fitted_at.desc(), fits.c.id.desc()))
        return [dict(r._mapping) for r in found]


def read_scores(store: Store, model: str) -> pd.DataFrame:
    """The stored scores of ``model``, with the customer's ``external_id``, by customer id.

    Columns: customer_id, external_id, p_alive, expected_purchases, expected_spend_minor,
    clv_minor, model, model_version, as_of, horizon_months, currency, fitted_at.
    """
    s, c = CustomerScore.__table__, Customer.__table__
    cols = [
        s.c.customer_id,
        c.c.external_id,
        s.c.p_alive,
        s.c.expected_purchases,
        s.c.expected_spend_minor,
        s.c.clv_minor,
        s.c.model,
        s.c.model_version,
        s.c.as_of,
        s.c.horizon_months,
        s.c.currency,
        s.c.fitted_at,
    ]
    query = (
        select(*cols)
        .join(c, c.c.id == s.c.customer_id)
        .where(s.c.model == model)
        .order_by(s.c.customer_id)
    )
    with store.read() as conn:
        found = conn.execute(query).all()
    frame = pd.DataFrame(found, columns=[col.name for col in cols])
    for name in ("customer_id", "expected_spend_minor", "clv_minor", "horizon_months"):
        frame[name] = frame[name].astype("int64")
    for name in ("p_alive", "expected_purchases"):
        frame[name] = frame[name].astype("float64")
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
            found = conn.execute(query).all()
            part = pd.DataFrame(found, columns=["customer_id", name]).set_index("customer_id")
            parts.append(part[name].astype("int64"))
    frame = pd.concat(parts, axis=1).fillna(0).astype("int64").sort_index()
    frame.index.name = "customer_id"
    return frame.reset_index()


def _day_end(day: date) -> datetime:
    from datetime import UTC, timedelta

    return datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(days=1)
