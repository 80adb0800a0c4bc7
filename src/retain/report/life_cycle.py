"""The life-cycle part of the report: stages, flows, returning and repeat rates, cohorts,
revenue at risk. Every figure comes from a public function of :mod:`retain.analytics`
(revenue at risk: :func:`retain.analytics.revenue_at_risk`, as on the web dashboard).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

import pandas as pd

from retain import analytics
from retain.analytics.flows import flows_between
from retain.config import Settings
from retain.report.model import Section

#: days back for the stage flows
FLOW_DAYS = 30
#: most recent cohorts shown
COHORT_MONTHS = 12


def plain(value: Any) -> Any:
    """A JSON-ready value: None for NaN/NaT, ISO text for dates, Python numbers for NumPy."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if value is None or isinstance(value, str | bool):
        return value
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, datetime | date | pd.Timestamp):
        return value.isoformat()
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return value


def rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """The rows of ``frame`` as plain dicts."""
    return [plain(r) for r in frame.to_dict("records")]


def stage_section(stages: pd.DataFrame) -> Section:
    """Customers per stage and substage (:func:`retain.analytics.stage_counts`)."""
    counts = analytics.stage_counts(stages)
    return Section("stages", "Where your customers stand", {"rows": rows(counts)})


def flow_section(
    orders: Any,
    people: Any,
    as_of: date,
    cfg: dict[str, Any],
    days: int = FLOW_DAYS,
    *,
    stages_at: Callable[[date], pd.DataFrame] | None = None,
) -> Section:
    """Stage flows of the last ``days`` days (:func:`retain.analytics.stage_flows`).

    ``stages_at``: the stage frame of a day (e.g. :func:`retain.analytics.store_stages`,
    which has the one of ``as_of`` already), instead of computing both here.
    """
    start = as_of - timedelta(days=days)
    if stages_at is None:
        flows = analytics.stage_flows(orders, start, as_of, people, cfg)
    else:
        flows = flows_between(stages_at(start), stages_at(as_of))
    matrix = analytics.flow_matrix(flows) if len(flows) else pd.DataFrame()
    moved = flows[flows["from_stage"] != flows["to_stage"]]
    return Section(
        "flows",
        f"Moves between stages in the last {days} days",
        {
            "from": start.isoformat(),
            "to": as_of.isoformat(),
            "rows": rows(moved),
            "matrix": {str(k): plain(v) for k, v in matrix.to_dict("index").items()},
        },
    )


def returning_section(orders: Any, as_of: date) -> Section:
    """Returning-customer rate of the last complete month and the month before it
    (:func:`retain.analytics.retention_intervals`)."""
    months = analytics.retention_intervals(orders, as_of, "month")
    complete = months if (as_of + timedelta(days=1)).day == 1 else months.iloc[:-1]
    complete = complete[complete["active"] > 0]
    if complete.empty:
        return Section(
            "returning_rate", "Returning customers", reason="no complete month of sales yet"
        )
    last = complete.iloc[-1]
    before = complete.iloc[-2] if len(complete) > 1 else None
    return Section(
        "returning_rate",
        "Returning customers",
        {
            "month": last["period"],
            "rate": plain(last["returning_rate"]),
            "buyers": plain(last["active"]),
            "returning": plain(last["returning"] + last["resurrecting"]),
            "previous_month": None if before is None else before["period"],
            "previous_rate": None if before is None else plain(before["returning_rate"]),
        },
    )


def repeat_section(orders: Any, as_of: date) -> Section:
    """Repeat purchase rate (:func:`retain.analytics.repeat_purchase_rate`)."""
    rate = analytics.repeat_purchase_rate(orders, as_of)
    if math.isnan(rate):
        return Section("repeat_purchase_rate", "Repeat purchases", reason="nobody has bought yet")
    return Section("repeat_purchase_rate", "Repeat purchases", {"rate": rate})


def cohort_section(orders: Any, as_of: date, months: int = COHORT_MONTHS) -> tuple[Section, Any]:
    """The last ``months`` cohorts (:func:`retain.analytics.cohort_table`) and their matrix."""
    table = analytics.cohort_table(orders, as_of)
    if table.empty:
        return Section("cohorts", "Do new customers come back?", reason="no sales yet"), None
    recent = sorted(table["cohort"].unique())[-months:]
    table = table[table["cohort"].isin(recent)]
    keep = ["cohort", "months_since", "cohort_customers", "retained_pct"]
    matrix = analytics.cohort_matrix(table, "retained_pct")
    return Section("cohorts", "Do new customers come back?", {"rows": rows(table[keep])}), matrix


def at_risk_section(stages: pd.DataFrame, cfg: dict[str, Any], settings: Settings) -> Section:
    """Revenue at risk, as the web dashboard defines it
    (:func:`retain.analytics.revenue_at_risk`)."""
    from retain.analytics import revenue_at_risk

    loyal = int(cfg.get("loyal_purchases", analytics.DEFAULTS["loyal_purchases"]))
    figure = revenue_at_risk(stages, loyal, settings.currency)
    figure["loyal_purchases"] = loyal
    return Section("revenue_at_risk", "Revenue at risk", plain(figure))
