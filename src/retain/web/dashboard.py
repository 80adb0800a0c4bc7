"""The figures of the dashboard, computed from the records by the capabilities' functions.

Each figure comes from a public function of its capability (life cycle:
:mod:`retain.analytics`; voice: :mod:`retain.voice`; cases:
:mod:`retain.service`). A figure whose capability is missing or has no data
says so (``available: false`` and a reason); nothing is made up.

Computing every figure reads all orders and customers, which takes seconds
on a large store, so the results are kept per store for ``ttl`` seconds.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from retain.analytics.at_risk import revenue_at_risk
from retain.config import Settings, section
from retain.errors import RetainError
from retain.store import Store

log = logging.getLogger("retain.web")
FLOW_DAYS = 30
COHORT_MONTHS = 12


def _unavailable(reason: str) -> dict[str, Any]:
    return {"available": False, "reason": reason, "data": None}


def _figure(name: str, compute: Callable[[], Any]) -> dict[str, Any]:
    """Run one figure's computation; a missing capability or no data is reported, not hidden."""
    try:
        data = compute()
    except ImportError as exc:
        return _unavailable(f"not available yet: {exc.name or 'a capability'} is not installed")
    except RetainError as exc:
        return _unavailable(exc.message)
    if data is None:
        return _unavailable("no data yet")
    return {"available": True, "reason": None, "data": data}


def _rows(frame: Any) -> list[dict[str, Any]]:
    out = []
    for row in frame.to_dict("records"):
        clean = {}
        for k, v in row.items():
            if hasattr(v, "item"):
                v = v.item()
            if isinstance(v, float) and math.isnan(v):
                v = None
            elif isinstance(v, datetime | date):
                v = v.isoformat()
            clean[str(k)] = v
        out.append(clean)
    return out


def life_cycle_figures(store: Store, settings: Settings, as_of: date) -> dict[str, Any]:
    """Stages, flows of the last 30 days, returning-customer rate, cohorts, revenue at risk."""
    from retain import analytics
    from retain.store.frames import read_arrow

    cfg = analytics.lifecycle_settings(section(settings, "lifecycle", analytics.DEFAULTS))
    orders, people = read_arrow(store, "orders"), read_arrow(store, "customers")
    stages = analytics.store_stages(
        store, as_of, cfg, tables={"orders": orders, "customers": people}
    )
    if stages.empty:
        return {
            k: _unavailable("no customers yet")
            for k in ("stages", "flows", "cohorts", "returning", "at_risk")
        }
    out: dict[str, Any] = {"_stages": stages.set_index("customer_id")}
    out["stages"] = _figure("stages", lambda: _rows(analytics.stage_counts(stages)))
    start = as_of - timedelta(days=FLOW_DAYS)
    out["flows"] = _figure(
        "flows",
        lambda: {
            "from": start.isoformat(),
            "to": as_of.isoformat(),
            "rows": _rows(analytics.stage_flows(orders, start, as_of, people, cfg)),
        },
    )
    out["returning"] = _figure(
        "returning", lambda: {"rate": float(analytics.repeat_purchase_rate(orders, as_of))}
    )

    def cohorts() -> list[dict[str, Any]]:
        table = analytics.cohort_table(orders, as_of)
        recent = sorted(table["cohort"].unique())[-COHORT_MONTHS:]
        table = table[table["cohort"].isin(recent)]
        return _rows(table[["cohort", "months_since", "cohort_customers", "retained_pct"]])

    out["cohorts"] = _figure("cohorts", cohorts)
    loyal_n = int(cfg.get("loyal_purchases", 3)) if isinstance(cfg, dict) else 3
    out["at_risk"] = _figure("at_risk", lambda: revenue_at_risk(stages, loyal_n, settings.currency))
    return out


def nps_figure(store: Store, now: datetime) -> dict[str, Any] | None:
    """NPS per month of the last two years with its interval, and last year's as baseline."""
    from retain.voice import Scope, score_report

    since = now - timedelta(days=730)
    months = score_report(store, Scope(kind="nps", since=since, until=now), by="month", as_of=now)
    if months.empty:
        return None
    base_year = str(now.year - 1)

    def overall(scope: Scope) -> Any:
        try:
            return score_report(store, scope, by="overall", as_of=now)
        except RetainError:
            return None  # no answers in that period: no baseline to draw

    start = datetime.fromisoformat(f"{base_year}-01-01T00:00:00+00:00")
    baseline = overall(Scope(kind="nps", since=start, until=start.replace(year=now.year)))
    keep = ["group", "n", "score", "low", "high", "margin_of_error"]
    return {
        "months": _rows(months[keep]),
        "baseline": None
        if baseline is None or baseline.empty
        else {"period": base_year, **_rows(baseline[keep])[0]},
    }


def case_figure(store: Store, now: datetime) -> dict[str, Any]:
    """Open and pending cases, and how many of them are late (an SLA target missed)."""
    from retain.service import find_cases

    cases = find_cases(store, now=now, statuses=["open", "pending"])
    late = cases[cases["breached"].fillna("") != ""]
    by_priority = cases.groupby("priority").size().to_dict() if len(cases) else {}
    return {
        "open": len(cases),
        "late": len(late),
        "by_priority": {str(k): int(v) for k, v in by_priority.items()},
    }


def compute(store: Store, settings: Settings, now: datetime) -> dict[str, Any]:
    """Every dashboard figure as of ``now`` (the life cycle as of ``now``'s date)."""
    started = time.perf_counter()
    try:
        figures = life_cycle_figures(store, settings, now.date())
    except ImportError as exc:
        reason = f"not available yet: {exc.name or 'the life-cycle analytics'} is not installed"
        figures = {
            k: _unavailable(reason) for k in ("stages", "flows", "cohorts", "returning", "at_risk")
        }
    figures["nps"] = _figure("nps", lambda: nps_figure(store, now))
    figures["cases"] = _figure("cases", lambda: case_figure(store, now))
    figures["as_of"] = now.isoformat()
    log.info("dashboard figures computed in %.1f s", time.perf_counter() - started)
    return figures


class FigureCache:
    """The dashboard figures of one store, recomputed at most every ``ttl`` seconds."""

    def __init__(self, ttl: float, monotonic: Callable[[], float]) -> None:
        self.ttl, self.monotonic = ttl, monotonic
        self._value: dict[str, Any] | None = None
        self._at = -math.inf
        self._lock = threading.Lock()

    def get(self, store: Store, settings: Settings, now: datetime) -> dict[str, Any]:
        """The cached figures, computed (once, under a lock) when missing or stale."""
        with self._lock:
            if self._value is None or self.monotonic() - self._at > self.ttl:
                self._value = compute(store, settings, now)
                self._at = self.monotonic()
            return self._value

    def peek(self) -> dict[str, Any] | None:
        """The figures if computed already (never computes)."""
        return self._value

    def clear(self) -> None:
        """Forget the figures (after an import, for example)."""
        with self._lock:
            self._value = None
