"""Case metrics over a table of cases: backlog, response times, SLA attainment, reopen rate.

Input: a pandas DataFrame with one row per case and the columns ``id``,
``owner`` (username or None), ``status``, ``opened_at``,
``first_responded_at``, ``resolved_at``, ``first_response_due_at``,
``resolution_due_at`` and ``reopen_count`` (times are aware UTC timestamps;
``retain.store.cases.cases_frame`` gives this table). ``as_of`` is the
moment the figures are for. Durations are wall-clock hours from opening,
the time the customer waited.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from retain.errors import MissingColumnsError
from retain.service.stats import wilson

CASE_COLUMNS = (
    "id",
    "owner",
    "status",
    "opened_at",
    "first_responded_at",
    "resolved_at",
    "first_response_due_at",
    "resolution_due_at",
    "reopen_count",
)
AGE_BUCKETS = ((0, 1, "0-1d"), (1, 3, "1-3d"), (3, 7, "3-7d"), (7, float("inf"), ">7d"))
UNASSIGNED = "(unassigned)"


def require_columns(frame: pd.DataFrame, what: str, columns: tuple[str, ...]) -> None:
    """Raise MissingColumnsError naming the columns ``frame`` lacks."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise MissingColumnsError(what, missing, list(frame.columns))


def _times(frame: pd.DataFrame, column: str) -> pd.Series:
    return pd.to_datetime(frame[column], utc=True)


def backlog(cases: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    """Open and pending cases per owner by age (days since opened) at ``as_of``.

    Columns: ``owner``, ``open``, ``pending``, ``total``, one column per age
    bucket (``0-1d``, ``1-3d``, ``3-7d``, ``>7d``; lower bound included) and
    ``oldest_days``; the busiest owner first.
    """
    require_columns(cases, "cases", CASE_COLUMNS)
    live = cases[cases["status"].isin(["open", "pending"])].copy()
    cols = ["owner", "open", "pending", "total", *(b[2] for b in AGE_BUCKETS), "oldest_days"]
    if live.empty:
        return pd.DataFrame(columns=cols)
    live["owner"] = live["owner"].fillna(UNASSIGNED)
    age = (pd.Timestamp(as_of) - _times(live, "opened_at")).dt.total_seconds() / 86400
    live["age"] = age
    rows = []
    for owner, group in live.groupby("owner", sort=True):
        row = {
            "owner": owner,
            "open": int((group["status"] == "open").sum()),
            "pending": int((group["status"] == "pending").sum()),
            "total": len(group),
        }
        for low, high, label in AGE_BUCKETS:
            row[label] = int(((group["age"] >= low) & (group["age"] < high)).sum())
        row["oldest_days"] = round(float(group["age"].max()), 2)
        rows.append(row)
    out = pd.DataFrame(rows, columns=cols)
    return out.sort_values(["total", "owner"], ascending=[False, True]).reset_index(drop=True)


def response_times(cases: pd.DataFrame) -> pd.DataFrame:
    """Median and 90th percentile (linear interpolation) of first-response and resolution hours.

    Rows ``first_response`` and ``resolution`` with ``n``, ``median_hours``,
    ``p90_hours`` (None when no case has reached that point).
    """
    require_columns(cases, "cases", CASE_COLUMNS)
    opened = _times(cases, "opened_at")
    rows = []
    for measure, column in (
        ("first_response", "first_responded_at"),
        ("resolution", "resolved_at"),
    ):
        hours = ((_times(cases, column) - opened).dt.total_seconds() / 3600).dropna().to_numpy()
        rows.append(
            {
                "measure": measure,
                "n": len(hours),
                "median_hours": float(np.median(hours)) if len(hours) else None,
                "p90_hours": float(np.percentile(hours, 90)) if len(hours) else None,
            }
        )
    return pd.DataFrame(rows)


def sla_attainment(cases: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    """Share of decided targets that were met, per target, with a Wilson 95% interval.

    A target is met when done by its due time, breached when done later or
    still not done after it; targets not yet due and not done are left out
    (``not_due``). Cases without a due time are left out.
    """
    require_columns(cases, "cases", CASE_COLUMNS)
    as_of = pd.Timestamp(as_of)
    rows = []
    for target, done_col in (
        ("first_response", "first_responded_at"),
        ("resolution", "resolved_at"),
    ):
        due = _times(cases, f"{target}_due_at")
        done = _times(cases, done_col)
        has_due = due.notna()
        met = has_due & done.notna() & (done <= due)
        breached = has_due & ((done.notna() & (done > due)) | (done.isna() & (due < as_of)))
        k, n = int(met.sum()), int(met.sum() + breached.sum())
        r = wilson(k, n)
        rows.append(
            {
                "target": target,
                "met": k,
                "breached": n - k,
                "not_due": int(has_due.sum()) - n,
                "attainment": r.rate,
                "lower": r.lower,
                "upper": r.upper,
            }
        )
    return pd.DataFrame(rows)


def reopen_rate(cases: pd.DataFrame) -> dict[str, float | int | None]:
    """Share of cases ever resolved that were reopened at least once (Wilson 95% interval)."""
    require_columns(cases, "cases", CASE_COLUMNS)
    reopened = cases["reopen_count"].fillna(0).astype(int) > 0
    ever_resolved = cases["resolved_at"].notna() | reopened
    r = wilson(int((reopened & ever_resolved).sum()), int(ever_resolved.sum()))
    return {"reopened": r.k, "resolved": r.n, "rate": r.rate, "lower": r.lower, "upper": r.upper}
