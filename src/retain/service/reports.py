"""Case figures from the store: the list of cases and every metric, as tables."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pandas as pd

from retain.service.calendar import require_aware
from retain.service.escalation import breached_targets
from retain.service.metrics import backlog, reopen_rate, response_times, sla_attainment
from retain.service.retention import retention_effect
from retain.store import Store
from retain.store import cases as db


@dataclass(frozen=True)
class CaseMetrics:
    """Every case metric at ``as_of`` (see :mod:`retain.service.metrics`, :mod:`.retention`)."""

    as_of: datetime
    backlog: pd.DataFrame
    response_times: pd.DataFrame
    sla: pd.DataFrame
    reopen: dict[str, Any]
    retention: pd.DataFrame

    def rows(self) -> list[dict[str, Any]]:
        """One flat row per figure: ``metric``, ``value``, ``lower``, ``upper``, ``n``."""
        out: list[dict[str, Any]] = []
        for r in self.response_times.to_dict("records"):
            for stat in ("median_hours", "p90_hours"):
                out.append(_row(f"{r['measure']}_{stat}", r[stat], n=r["n"]))
        for r in self.sla.to_dict("records"):
            out.append(
                _row(
                    f"sla_{r['target']}_attainment",
                    r["attainment"],
                    r["lower"],
                    r["upper"],
                    r["met"] + r["breached"],
                )
            )
        rr = self.reopen
        out.append(_row("reopen_rate", rr["rate"], rr["lower"], rr["upper"], rr["resolved"]))
        for r in self.retention.to_dict("records"):
            out.append(
                _row(
                    f"repurchase_{r['window_days']}d_{r['group']}",
                    r["rate"],
                    r["lower"],
                    r["upper"],
                    r["customers"],
                )
            )
        out.append(_row("backlog", int(self.backlog["total"].sum()) if len(self.backlog) else 0))
        return out


def _row(metric: str, value: Any, lower: Any = None, upper: Any = None, n: Any = None) -> dict:
    def rounded(x: Any) -> Any:
        if x is None or pd.isna(x):
            return None
        return x if isinstance(x, int) else round(float(x), 4)

    return {
        "metric": metric,
        "value": rounded(value),
        "lower": rounded(lower),
        "upper": rounded(upper),
        "n": n,
    }


def case_metrics(store: Store, *, as_of: datetime, window_days: int = 90) -> CaseMetrics:
    """Backlog, response times, SLA attainment, reopen rate and retention effect at ``as_of``.

    Only cases opened by ``as_of`` count; times after ``as_of`` are treated as not yet happened.
    """
    require_aware(as_of)
    at = pd.Timestamp(as_of)
    cases = as_of_view(db.cases_frame(store), at)
    orders = db.order_times(store)
    orders = orders[pd.to_datetime(orders["ordered_at"], utc=True) <= at]
    return CaseMetrics(
        as_of=as_of,
        backlog=backlog(cases, at),
        response_times=response_times(cases),
        sla=sla_attainment(cases, at),
        reopen=reopen_rate(cases),
        retention=retention_effect(
            cases, orders, db.customer_ids(store), as_of=at, window_days=window_days
        ),
    )


def as_of_view(cases: pd.DataFrame, at: pd.Timestamp) -> pd.DataFrame:
    """Cases opened by ``at``, with responses and resolutions after ``at`` blanked out.

    The status of a case is as stored (its history is in the audit trail);
    for a past ``at`` a case resolved later counts as still open.
    """
    out = cases[pd.to_datetime(cases["opened_at"], utc=True) <= at].copy()
    for col in ("first_responded_at", "resolved_at"):
        times = pd.to_datetime(out[col], utc=True)
        out[col] = times.where(times <= at)
    later = out["resolved_at"].isna() & out["status"].isin(["resolved", "closed"])
    out.loc[later, "status"] = "open"
    return out


def find_cases(
    store: Store,
    *,
    now: datetime,
    statuses: Sequence[str] | None = None,
    owner: str | None = None,
    customer_id: int | None = None,
    breached_only: bool = False,
    limit: int | None = None,
) -> pd.DataFrame:
    """Cases newest first, with ``breached`` (targets missed at ``now``, comma-separated)."""
    require_aware(now)
    frame = db.list_cases(
        store,
        statuses=statuses,
        owner=owner,
        customer_id=customer_id,
        limit=None if breached_only else limit,
    )
    rows = frame.astype(object).where(frame.notna(), None).to_dict("records")
    frame["breached"] = pd.Series(
        [",".join(t for t, _ in breached_targets(row, now)) for row in rows],
        index=frame.index,
        dtype=object,
    )
    if breached_only:
        frame = frame[frame["breached"] != ""]
        if limit:
            frame = frame.head(limit)
    return frame.reset_index(drop=True)
