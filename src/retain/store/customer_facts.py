"""One customer's records for the customer 360 view: his orders, ring facts, stored CLV score.

Each query reads only his rows (by the indexed ``customer_id``), never a whole table.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from retain.store.engine import Store
from retain.store.schema import ClvFit, CustomerScore, Feedback, Interaction, Order


def customer_orders(store: Store, customer_id: int) -> list[dict[str, Any]]:
    """His orders under the analytics' names: ``ordered_at`` (UTC), ``amount`` and
    ``refunded`` (minor units), ``currency``, ``status``, ``product_category``; oldest first."""
    o = Order.__table__
    query = (
        select(
            o.c.ordered_at,
            o.c.amount_minor.label("amount"),
            o.c.refunded_minor.label("refunded"),
            o.c.currency,
            o.c.status,
            o.c.product_category,
        )
        .where(o.c.customer_id == customer_id)
        .order_by(o.c.ordered_at, o.c.id)
    )
    with store.read() as conn:
        return [dict(r) for r in conn.execute(query).mappings()]


def ring_facts(store: Store, customer_id: int, before: datetime) -> dict[str, Any]:
    """What places him in the relationship ring, counting records before ``before``:
    ``inbound`` touchpoints, ``feedback`` answers, ``promoter`` (an NPS score of 9 or 10),
    ``reviews`` (feedback whose source is ``review``)."""
    i, f = Interaction.__table__, Feedback.__table__
    with store.read() as conn:
        inbound = conn.execute(
            select(func.count())
            .select_from(i)
            .where(
                i.c.customer_id == customer_id,
                i.c.direction == "inbound",
                i.c.occurred_at < before,
            )
        ).scalar_one()
        row = conn.execute(
            select(
                func.count(),
                func.coalesce(func.max(f.c.nps_score), -1),
                func.count().filter(f.c.source == "review"),
            ).where(f.c.customer_id == customer_id, f.c.responded_at < before)
        ).one()
    return {"inbound": inbound, "feedback": row[0], "promoter": row[1] >= 9, "reviews": row[2]}


def customer_score(store: Store, customer_id: int) -> dict[str, Any] | None:
    """His stored score of the most recently fitted CLV model with the fit's facts; None
    when no fit is stored. ``covered`` is False (and the score keys None) when the fit
    has no score for him (he had not bought by its ``as_of``).

    Keys: ``p_alive``, ``expected_purchases``, ``expected_spend_minor``, ``clv_minor``
    (minor units), ``model``, ``model_version``, ``as_of``, ``horizon_months``,
    ``discount_rate`` (annual), ``currency``, ``fitted_at``, ``trust_level``,
    ``trust_message``, ``params`` (the models' parameters).
    """
    f, s = ClvFit.__table__, CustomerScore.__table__
    with store.read() as conn:
        fit = (
            conn.execute(
                select(
                    f.c.id,
                    f.c.model,
                    f.c.model_version,
                    f.c.as_of,
                    f.c.horizon_months,
                    f.c.discount_rate,
                    f.c.currency,
                    f.c.fitted_at,
                    f.c.trust_level,
                    f.c.trust_message,
                    f.c.params,
                )
                .order_by(f.c.fitted_at.desc(), f.c.id.desc())
                .limit(1)
            )
            .mappings()
            .first()
        )
        if fit is None:
            return None
        score = (
            conn.execute(
                select(
                    s.c.p_alive, s.c.expected_purchases, s.c.expected_spend_minor, s.c.clv_minor
                ).where(s.c.customer_id == customer_id, s.c.fit_id == fit["id"])
            )
            .mappings()
            .first()
        )
    empty = dict.fromkeys(("p_alive", "expected_purchases", "expected_spend_minor", "clv_minor"))
    out = {**dict(fit), **(dict(score) if score is not None else empty)}
    out["covered"] = score is not None
    del out["id"]
    return out
