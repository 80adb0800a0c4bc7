"""Complaints and whether they are resolved, and what that does to the relationship.

About ``COMPLAINT_SHARE`` of the buyers complain once, a few days after one of their orders.
``RESOLVED_SHARE`` of the complaints get a resolving follow-up within a week. A complaint ends
the relationship on the spot with probability ``CHURN_IF_RESOLVED`` when it was resolved and
``CHURN_IF_UNRESOLVED`` when not (the customer makes no purchase after the complaint), so the
service analytics can find that resolving complaints keeps customers. This is the one place
where the demo departs from the pure MBG/NBD process.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from retain.demo.timeline import at_daytime

COMPLAINT_SHARE = 0.05
RESOLVED_SHARE = 0.6
CHURN_IF_RESOLVED = 0.15
CHURN_IF_UNRESOLVED = 0.6


@dataclass
class Complaints:
    """Per person: ``complained``, ``resolved``, ``day`` and ``resolved_day`` (NaN if none)."""

    complained: np.ndarray
    resolved: np.ndarray
    day: np.ndarray
    resolved_day: np.ndarray
    churned: np.ndarray


def plant_complaints(
    rng: np.random.Generator,
    horizon: float,
    order_customer: np.ndarray,
    order_day: np.ndarray,
    n_people: int,
    dropout_day: np.ndarray,
) -> Complaints:
    """Choose who complains when, who is resolved and who leaves because of it.

    ``order_customer``/``order_day`` are all purchases (any order); ``dropout_day`` is each
    person's dropout time before complaints (NaN while alive). Returns per-person arrays; the
    caller removes the orders after the complaint of those who ``churned``.
    """
    counts = np.bincount(order_customer, minlength=n_people)
    complains = (counts > 0) & (rng.random(n_people) < COMPLAINT_SHARE)
    sorted_order = np.argsort(order_customer, kind="stable")
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    pick = starts + np.floor(rng.random(n_people) * np.maximum(counts, 1)).astype(np.int64)
    pick = np.minimum(pick, max(len(sorted_order) - 1, 0))
    after = order_day[sorted_order[pick]] if len(sorted_order) else np.zeros(n_people)
    day = at_daytime(rng, after + rng.uniform(1.0, 10.0, n_people))
    complains &= day < horizon
    day = np.where(complains, day, np.nan)

    resolved_day = at_daytime(rng, day + rng.uniform(0.0, 7.0, n_people))
    resolved_day = np.where(resolved_day <= day, day + 1.0 / 24.0, resolved_day)
    resolved = complains & (rng.random(n_people) < RESOLVED_SHARE) & (resolved_day < horizon)
    resolved_day = np.where(resolved, resolved_day, np.nan)

    still_alive = np.isnan(dropout_day) | (dropout_day > day)
    churn_chance = np.where(resolved, CHURN_IF_RESOLVED, CHURN_IF_UNRESOLVED)
    churned = complains & still_alive & (rng.random(n_people) < churn_chance)
    return Complaints(
        complained=complains,
        resolved=resolved,
        day=day,
        resolved_day=resolved_day,
        churned=churned,
    )
