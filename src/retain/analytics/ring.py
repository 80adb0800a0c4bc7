"""The relationship ring: Visitor, Audience, Customer, Community.

Each known customer is in the innermost ring he reached by ``as_of``:

- ``community``: bought, and is a promoter (gave an NPS score of 9 or 10),
  wrote a review (feedback whose ``source`` is ``review``), or is loyal
  (stage ``loyal``);
- ``customer``: bought (a purchase up to ``as_of``);
- ``audience``: subscribed (``email_consent`` true) or engaged (an inbound
  touchpoint or any feedback);
- ``visitor``: known from touchpoints only.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import ibis
import pandas as pd

from retain.analytics.stages import stage_table
from retain.analytics.tables import as_of_date, as_table, left_join_on, to_pandas

RINGS = ("visitor", "audience", "customer", "community")


def _day(col):
    return col if col.type().is_date() else col.date()


def relationship_ring(
    orders: Any,
    customers: Any,
    as_of: date | datetime | str,
    interactions: Any = None,
    feedback: Any = None,
    settings: dict[str, Any] | None = None,
) -> pd.DataFrame:
    """Every known customer's ring as of ``as_of`` (``customer_id``, ``ring``, ``stage``,
    ``subscribed``, ``engaged``, ``promoter``, ``reviewer``), sorted by ``customer_id``.

    ``customers`` as for :func:`~retain.analytics.customer_stages` (its
    ``email_consent`` says who subscribed); ``interactions`` (optional):
    ``customer_id``, ``occurred_at``, ``direction``; ``feedback`` (optional):
    ``customer_id``, ``responded_at``, ``nps_score``, ``source``.
    """
    st = stage_table(orders, as_of, customers, settings)
    day = ibis.date(as_of_date(as_of))
    people = as_table(customers, "customers", ("customer_id",))
    consent = (
        people.select("customer_id", subscribed=people.email_consent.fill_null(False))
        if "email_consent" in people.columns
        else people.select("customer_id", subscribed=ibis.literal(False))
    )
    t = st.select("customer_id", "stage").left_join(consent, "customer_id")
    t = t.drop("customer_id_right")
    engaged = None
    if interactions is not None:
        i = as_table(interactions, "interactions", ("customer_id", "occurred_at", "direction"))
        i = i.filter((_day(i.occurred_at) <= day) & (i.direction == "inbound"))
        engaged = i.select("customer_id").distinct()
    promoter = reviewer = None
    if feedback is not None:
        f = as_table(feedback, "feedback", ("customer_id", "responded_at"))
        f = f.filter(f.customer_id.notnull() & (_day(f.responded_at) <= day))
        score = f.nps_score if "nps_score" in f.columns else ibis.null("int64")
        source = f.source if "source" in f.columns else ibis.literal("survey")
        per = f.group_by("customer_id").aggregate(
            _any=f.count(),
            _promoter=(score.fill_null(-1) >= 9).any(),
            _reviewer=(source == "review").any(),
        )
        t = left_join_on(t, per, "customer_id")
        promoter, reviewer = t._promoter.fill_null(False), t._reviewer.fill_null(False)
    if engaged is not None:
        t = t.left_join(engaged.mutate(_engaged=ibis.literal(True)), "customer_id")
        t = t.drop("customer_id_right")
    eng = t._engaged.fill_null(False) if "_engaged" in t.columns else ibis.literal(False)
    if "_any" in t.columns:
        eng = eng | t._any.notnull()
    promoter = promoter if promoter is not None else ibis.literal(False)
    reviewer = reviewer if reviewer is not None else ibis.literal(False)
    bought = t.stage != "prospect"
    ring = ibis.cases(
        (bought & (promoter | reviewer | (t.stage == "loyal")), "community"),
        (bought, "customer"),
        (t.subscribed | eng, "audience"),
        else_="visitor",
    )
    out = t.select(
        "customer_id",
        ring=ring,
        stage=t.stage,
        subscribed=t.subscribed,
        engaged=eng,
        promoter=promoter,
        reviewer=reviewer,
    )
    return to_pandas(out.order_by("customer_id"))


def ring_counts(ring: pd.DataFrame) -> pd.DataFrame:
    """Customers and share in % per ring, from the outermost (visitor) inwards."""
    counts = ring.ring.value_counts().reindex(list(RINGS), fill_value=0)
    out = pd.DataFrame({"ring": list(RINGS), "customers": counts.to_numpy()})
    out["share_pct"] = (100 * out.customers / max(len(ring), 1)).round(1)
    return out
