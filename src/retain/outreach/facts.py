"""The per-customer facts the plan's rules read, gathered from the store as of a time.

Stages and gaps come from :mod:`retain.analytics` (run by DuckDB or the
PostgreSQL server), opinions from the feedback, silence from
:func:`retain.voice.silent_customers`, SLA times from the open cases.

Value (per customer, minor units, times ``value_horizon_years``):

- ``value_from = "auto"`` (default): the stored CLV score of ``retain clv fit``
  as a yearly value (:func:`retain.outreach.value.stored_value`,
  ``value_source`` "stored_clv") where a score run covers the customer;
  else the revenue value below.
- ``"revenue"``: net revenue per year of relationship (revenue minus refunds,
  divided by the years since the first purchase, at least one),
  ``value_source`` "revenue_per_year".
- ``"clv"``: the CLV models fitted on the fly value it where they can
  (:mod:`retain.outreach.value`, ``value_source`` "clv_model").
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

import numpy as np
import pandas as pd

from retain import analytics
from retain.outreach.rules import FACT_COLUMNS
from retain.outreach.value import MODEL, REVENUE, STORED, SUMMARY, model_value, stored_value
from retain.store import Store
from retain.store import outreach as db

YEAR_DAYS = 365.25
VALUE_SOURCE = REVENUE
STAGE_INPUTS = (
    "customer_id",
    "stage",
    "substage",
    "purchases",
    "days_since_last_order",
    "expected_gap_days",
    "first_order_date",
    "revenue",
    "refunds",
)


def stages_at(store: Store, day: date, lifecycle: dict[str, Any] | None) -> pd.DataFrame:
    """Every customer's life-cycle stage at ``day`` (:func:`retain.analytics.store_stages`,
    computed once per store, day and records)."""
    return analytics.store_stages(store, day, lifecycle)


def end_of_day(day: date) -> datetime:
    """The last second of ``day`` in UTC: what "as of DAY" means for the plan."""
    return datetime.combine(day, time(23, 59, 59), tzinfo=UTC)


def customer_facts(
    store: Store,
    as_of: datetime,
    cfg: dict[str, Any],
    lifecycle: dict[str, Any] | None = None,
) -> pd.DataFrame:
    """One row per customer known at ``as_of`` with :data:`FACT_COLUMNS` (and value_source).

    Money in minor units; days are whole days to ``as_of``'s date.
    """
    day = as_of.date()
    stages = stages_at(store, day, lifecycle)
    f = stages[list(STAGE_INPUTS)].copy()
    f["customer_id"] = f["customer_id"].astype("int64")
    first = pd.to_datetime(f["first_order_date"])
    f["days_since_first_order"] = (pd.Timestamp(day) - first).dt.days.astype("float")
    net = f["revenue"].fillna(0).astype("float") - f["refunds"].fillna(0).astype("float")
    years = np.maximum(1.0, f["days_since_first_order"].fillna(0) / YEAR_DAYS)
    yearly = np.maximum(net, 0) / years * float(cfg["value_horizon_years"])
    f["value_source"] = VALUE_SOURCE
    if cfg["value_from"] == "clv":
        modelled = model_value(stages[list(SUMMARY)]).to_numpy()
        ok = np.isfinite(modelled)
        yearly = np.where(ok, np.maximum(modelled, 0) * float(cfg["value_horizon_years"]), yearly)
        f["value_source"] = np.where(ok, MODEL, VALUE_SOURCE)
    elif cfg["value_from"] == "auto":
        stored = f["customer_id"].map(stored_value(store, day)).to_numpy(dtype=float)
        ok = np.isfinite(stored)
        yearly = np.where(ok, stored * float(cfg["value_horizon_years"]), yearly)
        f["value_source"] = np.where(ok, STORED, VALUE_SOURCE)
    f["value_minor"] = np.round(yearly).astype("int64")
    for col in ("purchases", "days_since_last_order", "expected_gap_days"):
        f[col] = f[col].astype("float")
    f = _add_opinions(store, f, as_of)
    f = _add_silence(store, f, as_of, cfg)
    f = _add_cases(store, f, as_of)
    f = _add_letters(store, f, as_of)
    return f[[*FACT_COLUMNS, "value_source"]].sort_values("customer_id").reset_index(drop=True)


def _add_opinions(store: Store, f: pd.DataFrame, as_of: datetime) -> pd.DataFrame:
    nps = db.latest_nps(store, as_of)
    nps["nps_days_ago"] = (pd.Timestamp(as_of) - nps["responded_at"]).dt.days.astype("float")
    nps["nps_score"] = nps["nps_score"].astype("float")
    nps["customer_id"] = nps["customer_id"].astype("int64")
    return f.merge(nps[["customer_id", "nps_score", "nps_days_ago"]], on="customer_id", how="left")


def _add_silence(
    store: Store, f: pd.DataFrame, as_of: datetime, cfg: dict[str, Any]
) -> pd.DataFrame:
    from retain.store import voice as voice_db
    from retain.voice import silent_customers

    invitations = voice_db.invitation_frame(store)
    f["silent_reason"] = None
    if invitations.empty:
        return f
    answers = voice_db.feedback_frame(store)
    orders = voice_db.order_frame(store, invitations["customer_id"].unique().tolist())
    quiet = silent_customers(
        invitations,
        answers,
        orders,
        as_of=as_of,
        min_invitations=int(cfg["silent_min_invitations"]),
        window_days=int(cfg["silent_window_days"]),
    )
    reasons = dict(zip(quiet["customer_id"].astype("int64"), quiet["reason"], strict=True))
    f["silent_reason"] = f["customer_id"].map(reasons)
    return f


def _add_cases(store: Store, f: pd.DataFrame, as_of: datetime) -> pd.DataFrame:
    cases = db.open_cases(store, as_of)
    cols = ["case_id", "case_subject", "case_due_hours", "case_due_kind"]
    if cases.empty:
        for c in cols:
            f[c] = np.nan if c in ("case_id", "case_due_hours") else None
        return f
    waiting = cases["first_responded_at"].isna()
    due = cases["first_response_due_at"].where(waiting, cases["resolution_due_at"])
    cases = cases.assign(
        case_due_kind=np.where(waiting, "first response", "resolution"),
        case_due_hours=(due - pd.Timestamp(as_of)).dt.total_seconds() / 3600,
        case_subject=cases["subject"],
    ).dropna(subset=["case_due_hours"])
    cases = cases.sort_values(["case_due_hours", "case_id"]).drop_duplicates("customer_id")
    cases["customer_id"] = cases["customer_id"].astype("int64")
    cases["case_id"] = cases["case_id"].astype("float")
    return f.merge(cases[["customer_id", *cols]], on="customer_id", how="left")


def _add_letters(store: Store, f: pd.DataFrame, as_of: datetime) -> pd.DataFrame:
    start = datetime(as_of.year, 1, 1, tzinfo=UTC)
    sent = db.contacts_since(store, start)
    sent = sent[(sent["channel"] == "letter") & (sent["occurred_at"] <= pd.Timestamp(as_of))]
    f["letter_this_year"] = f["customer_id"].isin(set(sent["customer_id"].astype("int64")))
    return f
