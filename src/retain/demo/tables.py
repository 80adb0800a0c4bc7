"""Turn the generator's arrays into the importable tables, with ids and timestamps.

Ids are given in time order: customers by registration (``C000001``...), orders by order
time (``O0000001``...), interactions (``I...``) and feedback (``F...``) likewise.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from retain.demo import orders as od
from retain.demo.complaints import Complaints
from retain.demo.timeline import Period, format_ids, local_datetimes, timestamps
from retain.demo.voice import THEME_NAMES

CUSTOMER_COLUMNS = (
    "customer_id", "name", "email", "phone", "company", "birth_year", "gender", "profession",
    "income_band", "city", "region", "country", "postal_code", "acquisition_channel",
    "email_consent", "do_not_contact", "do_not_contact_reason", "created_at", "tags",
)  # fmt: skip
ORDER_COLUMNS = (
    "order_id", "customer_id", "ordered_at", "amount", "currency", "product_category", "channel",
    "cost", "status", "refunded_amount",
)  # fmt: skip
INTERACTION_COLUMNS = (
    "interaction_id", "customer_id", "occurred_at", "channel", "direction", "kind", "note",
    "by_whom",
)  # fmt: skip
FEEDBACK_COLUMNS = (
    "feedback_id", "customer_id", "source", "kind", "score", "scale_min", "scale_max", "category",
    "comment", "responded_at", "survey",
)  # fmt: skip
TRUTH_COLUMNS = (
    "customer_id", "lambda_per_day", "p_drop", "alive_at_end", "dropout_at", "mean_spend",
    "main_category", "seasonal", "n_orders", "complained", "complaint_resolved", "planted_theme",
    "is_duplicate_of", "is_prospect",
)  # fmt: skip
DUPLICATE_COLUMNS = ("customer_id_a", "customer_id_b")
STATUSES = np.array(["paid", "refunded", "partially_refunded"], dtype=object)


def _width(n: int, least: int) -> int:
    return max(least, len(str(max(n, 1))))


def _in_time_order(day: np.ndarray) -> np.ndarray:
    """Row order by time (stable), as positions."""
    return np.argsort(day, kind="stable")


def customers_table(people: pd.DataFrame, period: Period) -> tuple[pd.DataFrame, np.ndarray]:
    """The customers table (ids by registration time) and the id of every input row.

    ``people`` has the customer columns plus ``created_day`` (float days since the period
    start); columns starting with ``_`` are dropped.
    """
    order = _in_time_order(people["created_day"].to_numpy())
    ids = np.empty(len(people), dtype=object)
    ids[order] = format_ids("C", np.arange(1, len(people) + 1), _width(len(people), 6)).to_numpy()
    frame = people.iloc[order].reset_index(drop=True)
    frame["customer_id"] = ids[order]
    frame["created_at"] = timestamps(period, frame["created_day"].to_numpy())
    for column in ("name", "email", "tags"):
        frame[column] = frame[column].astype(str)
    return frame.loc[:, list(CUSTOMER_COLUMNS)], ids


def orders_table(
    customer_ids: np.ndarray,
    period: Period,
    customer: np.ndarray,
    day: np.ndarray,
    amount: np.ndarray,
    currency: str,
    category: np.ndarray,
    channel: np.ndarray,
    cost: np.ndarray,
    status: np.ndarray,
    refunded: np.ndarray,
) -> pd.DataFrame:
    """The orders table in time order; money in minor units becomes two-decimal strings."""
    o = _in_time_order(day)
    n = len(o)
    return pd.DataFrame(
        {
            "order_id": format_ids("O", np.arange(1, n + 1), _width(n, 7)),
            "customer_id": customer_ids[customer[o]],
            "ordered_at": timestamps(period, day[o]),
            "amount": od.money_text(amount[o]),
            "currency": currency,
            "product_category": np.asarray(od.CATEGORY_NAMES, dtype=object)[category[o]],
            "channel": channel[o],
            "cost": od.money_text(cost[o]),
            "status": STATUSES[status[o]],
            "refunded_amount": od.money_text(refunded[o]),
        }
    )


def interactions_table(customer_ids: np.ndarray, period: Period, touch: pd.DataFrame):
    """The interactions table in time order from rows of ``touchpoints``' parts."""
    touch = touch.iloc[_in_time_order(touch["day"].to_numpy())].reset_index(drop=True)
    n = len(touch)
    frame = pd.DataFrame(
        {
            "interaction_id": format_ids("I", np.arange(1, n + 1), _width(n, 7)),
            "customer_id": customer_ids[touch["customer"].to_numpy(dtype=np.int64)],
            "occurred_at": timestamps(period, touch["day"].to_numpy(dtype=float)),
        }
    )
    for column in ("channel", "direction", "kind", "note", "by_whom"):
        frame[column] = touch[column].to_numpy()
    return frame


def feedback_table(
    customer_ids: np.ndarray, period: Period, nps: pd.DataFrame, reviews: pd.DataFrame
) -> pd.DataFrame:
    """The feedback table (NPS answers and reviews) in time order."""
    survey = pd.DataFrame(
        {
            "customer": nps["customer"].to_numpy(dtype=np.int64),
            "day": nps["day"].to_numpy(dtype=float),
            "source": "survey",
            "kind": "nps",
            "score": nps["score"].to_numpy(dtype=np.int64),
            "scale_min": 0,
            "scale_max": 10,
            "category": nps["category"].to_numpy(dtype=object),
            "comment": nps["comment"].to_numpy(dtype=object),
            "survey": nps["survey"].to_numpy(dtype=object),
        }
    )
    review = pd.DataFrame(
        {
            "customer": reviews["customer"].to_numpy(dtype=np.int64),
            "day": reviews["day"].to_numpy(dtype=float),
            "source": reviews["source"].to_numpy(dtype=object),
            "kind": "review",
            "score": reviews["score"].to_numpy(dtype=np.int64),
            "scale_min": 1,
            "scale_max": 5,
            "category": reviews["category"].to_numpy(dtype=object),
            "comment": reviews["comment"].to_numpy(dtype=object),
            "survey": "",
        }
    )
    both = pd.concat([survey, review], ignore_index=True)
    both = both.iloc[_in_time_order(both["day"].to_numpy())].reset_index(drop=True)
    n = len(both)
    return pd.DataFrame(
        {
            "feedback_id": format_ids("F", np.arange(1, n + 1), _width(n, 7)),
            "customer_id": customer_ids[both["customer"].to_numpy()],
            "source": both["source"].to_numpy(dtype=object),
            "kind": both["kind"].to_numpy(dtype=object),
            "score": both["score"].to_numpy(dtype=np.int64),
            "scale_min": both["scale_min"].to_numpy(dtype=np.int64),
            "scale_max": both["scale_max"].to_numpy(dtype=np.int64),
            "category": both["category"].to_numpy(dtype=object),
            "comment": both["comment"].to_numpy(dtype=object),
            "responded_at": timestamps(period, both["day"].to_numpy(dtype=float)),
            "survey": both["survey"].to_numpy(dtype=object),
        }
    )


def truth_table(
    customer_ids: np.ndarray,
    period: Period,
    original: np.ndarray,
    lam: np.ndarray,
    p_drop: np.ndarray,
    alive: np.ndarray,
    dropout_day: np.ndarray,
    mean_spend: np.ndarray,
    main: np.ndarray,
    seasonal: np.ndarray,
    prospect: np.ndarray,
    n_orders: np.ndarray,
    complaints: Complaints,
    theme: np.ndarray,
    themed_people: np.ndarray,
) -> pd.DataFrame:
    """One row per customer record (people first, then duplicates), sorted by customer id.

    Per-person arrays have one entry per person; duplicates (rows after the people) take
    their original's process values, have no complaint and no theme, and name the original
    in ``is_duplicate_of``.
    """
    n = len(lam)
    person = np.concatenate([np.arange(n), original])
    is_dup = np.arange(len(person)) >= n
    dropout = local_datetimes(period, np.where(np.isnan(dropout_day), 0.0, dropout_day))
    dropout = dropout.astype("datetime64[D]").astype("datetime64[s]")
    dropout[np.isnan(dropout_day)] = np.datetime64("NaT")
    category_names = np.asarray((*od.CATEGORY_NAMES, ""), dtype=object)
    has_theme = np.zeros(n, dtype=bool)
    has_theme[np.asarray(themed_people, dtype=np.int64)] = True
    planted = np.where(has_theme, np.asarray(THEME_NAMES, dtype=object)[theme], "")
    resolved = pd.array(complaints.resolved, dtype="boolean")
    resolved[~complaints.complained] = pd.NA
    frame = pd.DataFrame(
        {
            "customer_id": customer_ids,
            "lambda_per_day": lam[person],
            "p_drop": p_drop[person],
            "alive_at_end": alive[person],
            "dropout_at": dropout[person],
            "mean_spend": mean_spend[person],
            "main_category": category_names[main[person]],
            "seasonal": seasonal[person],
            "n_orders": n_orders,
            "complained": np.where(is_dup, False, complaints.complained[person]),
            "complaint_resolved": pd.array(
                np.concatenate([resolved, pd.array([pd.NA] * (len(person) - n), "boolean")]),
                dtype="boolean",
            ),
            "planted_theme": np.where(is_dup, "", planted[person]),
            "is_duplicate_of": np.where(is_dup, customer_ids[person], ""),
            "is_prospect": prospect[person],
        }
    )
    return frame.sort_values("customer_id", ignore_index=True).loc[:, list(TRUTH_COLUMNS)]
