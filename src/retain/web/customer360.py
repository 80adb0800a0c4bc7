"""The customer 360 figures of one customer: stage and why, stage history, value, ring.

Computed for this customer alone from his own records (his orders, his
touchpoints and feedback, his row of the stored CLV scores), plus the
business's learned repurchase gaps, which need every order: those are
computed once per app for the last 24 month ends and kept like the
dashboard's figures (``[web] figures_ttl_seconds``), see :class:`GapCache`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from retain.analytics.flows import explain
from retain.analytics.settings import DEFAULTS, lifecycle_settings
from retain.config import Settings, section
from retain.store import Store
from retain.store import customer_facts as facts
from retain.web.customer_stage import (
    LearnedGaps,
    learned_gaps,
    month_ends,
    purchase_day_gaps,
    stage_of,
    summary_of,
)

#: month ends of the stage history (the last one is today)
HISTORY_MONTHS = 24
RING_WHY = {
    "community": "bought, and is a promoter, wrote a review or is loyal",
    "customer": "bought",
    "audience": "subscribed (e-mail consent) or engaged (an inbound touchpoint or feedback)",
    "visitor": "known from touchpoints only",
}


def compute_gaps(store: Store, as_of: date, settings: dict[str, Any]) -> dict[date, LearnedGaps]:
    """The business's learned gaps at the last :data:`HISTORY_MONTHS` month ends up to
    ``as_of``, from one read of all orders (the only whole-store work of the page)."""
    from retain.analytics.summary import purchase_days
    from retain.analytics.tables import to_pandas
    from retain.store.frames import read_arrow

    days = purchase_days(read_arrow(store, "orders"), as_of).days
    gaps = purchase_day_gaps(to_pandas(days.select("eday", "gap", "prev_category")))
    return learned_gaps(gaps, month_ends(as_of, HISTORY_MONTHS), settings)


class GapCache:
    """The learned gaps of one store as of one day, recomputed at most every ``ttl`` seconds."""

    def __init__(self, ttl: float, monotonic: Callable[[], float]) -> None:
        self.ttl, self.monotonic = ttl, monotonic
        self._value: tuple[float, date, dict[date, LearnedGaps]] | None = None
        self._lock = threading.Lock()

    def get(self, store: Store, as_of: date, settings: dict[str, Any]) -> dict[date, LearnedGaps]:
        """The gaps at the month ends up to ``as_of`` (computed once, under a lock)."""
        with self._lock:
            v = self._value
            if v is None or v[1] != as_of or self.monotonic() - v[0] > self.ttl:
                v = (self.monotonic(), as_of, compute_gaps(store, as_of, settings))
                self._value = v
            return v[2]

    def clear(self) -> None:
        """Forget the gaps (after an import, for example)."""
        with self._lock:
            self._value = None


def lifecycle_config(settings: Settings) -> dict[str, Any]:
    """The ``[lifecycle]`` thresholds of the app's settings, checked."""
    return lifecycle_settings(section(settings, "lifecycle", DEFAULTS))


def _stage_view(row: dict[str, Any], as_of: date, cfg: dict[str, Any]) -> dict[str, Any]:
    keep = (
        "stage",
        "substage",
        "purchases",
        "days_since_last_order",
        "expected_gap_days",
        "gap_source",
        "main_category",
        "seasonal",
        "season_ends",
        "gone_quiet",
        "do_not_contact",
    )
    return {"as_of": as_of, **{k: row[k] for k in keep}, "rule": explain(row, as_of, cfg)}


def ring_of(stage: str | None, customer: dict[str, Any], ring: dict[str, Any]) -> dict[str, Any]:
    """His ring (:mod:`retain.analytics.ring`): ``ring`` and ``why`` (the facts that place him)."""
    bought = stage is not None and stage != "prospect"
    reasons = []
    if ring["promoter"]:
        reasons.append("a promoter (NPS 9-10)")
    if ring["reviews"]:
        reasons.append(f"{ring['reviews']} review(s)")
    if stage == "loyal":
        reasons.append("loyal")
    subscribed = customer.get("email_consent") is True
    engaged = ring["inbound"] > 0 or ring["feedback"] > 0
    if bought and reasons:
        name = "community"
    elif bought:
        name = "customer"
    elif subscribed or engaged:
        name = "audience"
        reasons = [x for x, on in (("subscribed", subscribed), ("engaged", engaged)) if on]
    else:
        name = "visitor"
    return {"ring": name, "why": RING_WHY[name], "facts": reasons}


def value_view(score: dict[str, Any] | None, orders: list[dict[str, Any]]) -> dict[str, Any]:
    """His stored CLV and P(alive) with what drives them, or why there is none."""
    if score is None:
        return {"available": False, "reason": "no CLV scores yet: run `retain clv score`."}
    if not score["covered"]:
        return {
            "available": False,
            "reason": f"the stored {score['model']} scores (as of {score['as_of']}) do not "
            "cover this customer (no purchase by then): run `retain clv score` again.",
        }
    drivers = summary_of(orders, score["as_of"]) or {}
    return {
        "available": True,
        "reason": None,
        **{k: score[k] for k in score if k not in ("covered", "params")},
        "frequency": drivers.get("frequency"),
        "recency": drivers.get("recency"),
        "T": drivers.get("T"),
        "monetary_value": drivers.get("monetary_value"),
    }


def customer_figures(
    store: Store,
    customer: dict[str, Any],
    *,
    as_of: date,
    gaps: dict[date, LearnedGaps],
    cfg: dict[str, Any],
) -> dict[str, Any]:
    """Stage (with the rule), monthly stage history, value and ring of one customer.

    ``customer``: his record (``id``, ``first_seen_at``, consent and do-not-contact
    flags...); ``gaps``: :func:`compute_gaps` as of ``as_of``.
    """
    orders = facts.customer_orders(store, customer["id"])
    history = []
    for day in sorted(gaps):
        row = stage_of(customer, orders, day, gaps[day], cfg)
        history.append(
            {
                "as_of": day,
                "stage": row["stage"] if row else "unknown",
                "substage": row["substage"] if row else "",
            }
        )
    now = stage_of(customer, orders, as_of, gaps[as_of], cfg)
    before = datetime.combine(as_of + timedelta(days=1), time(), tzinfo=UTC)
    ring = ring_of(
        now["stage"] if now else None, customer, facts.ring_facts(store, customer["id"], before)
    )
    return {
        "lifecycle": _stage_view(now, as_of, cfg) if now else None,
        "stage_history": history,
        "value": value_view(facts.customer_score(store, customer["id"]), orders),
        "ring": ring,
    }


def stage_history_spec(history: list[dict[str, Any]]) -> dict[str, Any]:
    """A Vega-Lite spec of his stage at each month end (one coloured mark per month)."""
    stages = ["unknown", "prospect", "new", "active", "loyal", "lapsed", "inactive"]
    values = [
        {"month": h["as_of"].isoformat(), "stage": h["stage"], "substage": h["substage"]}
        for h in history
    ]
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "data": {"values": values},
        "height": 160,
        "mark": {"type": "tick", "thickness": 6},
        "encoding": {
            "x": {"field": "month", "type": "temporal", "title": None},
            "y": {
                "field": "stage",
                "type": "nominal",
                "sort": stages,
                "scale": {"domain": stages},
                "title": None,
            },
            "color": {"field": "stage", "type": "nominal", "legend": None},
            "tooltip": [
                {"field": "month", "type": "temporal"},
                {"field": "stage"},
                {"field": "substage"},
            ],
        },
    }
