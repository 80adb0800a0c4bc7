"""Assemble the report: call each capability's public functions, keep their figures.

:func:`build_report` computes nothing itself; it picks the rows to show (the
latest complete month, the last periods) and records, for a figure that
cannot be had, the reason why.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from retain import analytics
from retain.config import Settings, section
from retain.errors import InvalidInputError, NotFoundError, RetainError
from retain.report import charts, life_cycle, voice, work
from retain.report.model import Report, Section
from retain.store import Store

#: the [report] section of retain.toml
DEFAULTS: dict[str, Any] = {
    # the name on the report's title
    "business": "",
    # the period of the NPS trend and of "the latest period": month, quarter or year
    "nps_period": "quarter",
}
NPS_PERIODS = ("month", "quarter", "year")


def _guarded(name: str, title: str, compute: Callable[[], Section]) -> Section:
    """``compute()``, or the section with the reason it cannot be had (never made up)."""
    try:
        return compute()
    except ImportError as exc:
        return Section(name, title, reason=f"not available yet: {exc.name or exc} is missing")
    except RetainError as exc:
        return Section(name, title, reason=exc.message)


def report_settings(settings: Settings) -> dict[str, Any]:
    """The ``[report]`` settings, checked."""
    cfg = section(settings, "report", DEFAULTS)
    if cfg["nps_period"] not in NPS_PERIODS:
        raise InvalidInputError(
            f"[report] nps_period = {cfg['nps_period']!r}: use one of {', '.join(NPS_PERIODS)}"
        )
    return cfg


def build_report(store: Store, as_of: date, settings: Settings) -> Report:
    """The owner's report as of the end of day ``as_of`` (UTC), from the records in ``store``.

    Raises :class:`~retain.errors.NotFoundError` when the store has no customer yet.
    """
    from retain.store.frames import analytics_tables

    cfg = report_settings(settings)
    lc = analytics.lifecycle_settings(section(settings, "lifecycle", analytics.DEFAULTS))
    until = datetime.combine(as_of + timedelta(days=1), time(), tzinfo=UTC)  # exclusive
    now = datetime.combine(as_of, time(23, 59, 59), tzinfo=UTC)
    report = Report(as_of=as_of, business=str(cfg["business"]), currency=settings.currency)
    add = report.sections.__setitem__
    with analytics_tables(store, ("orders", "customers")) as tables:
        orders, people = tables["orders"], tables["customers"]

        def stages_at(day: date) -> Any:
            return analytics.store_stages(store, day, lc, tables=tables)

        stages = stages_at(as_of)
        if stages.empty:
            raise NotFoundError(
                f"no customers in the store as of {as_of}: import your records first "
                "(retain import customers FILE, retain import orders FILE) or try retain demo"
            )
        add("stages", life_cycle.stage_section(stages))
        report.charts["stages"] = charts.stage_chart(report.sections["stages"].data["rows"])
        add("revenue_at_risk", _guarded(
            "revenue_at_risk", "Revenue at risk",
            lambda: life_cycle.at_risk_section(stages, lc, settings),
        ))  # fmt: skip
        add("flows", _guarded(
            "flows", "Moves between stages",
            lambda: life_cycle.flow_section(orders, people, as_of, lc, stages_at=stages_at),
        ))  # fmt: skip
        add("returning_rate", _guarded(
            "returning_rate", "Returning customers",
            lambda: life_cycle.returning_section(orders, as_of),
        ))  # fmt: skip
        add("repeat_purchase_rate", _guarded(
            "repeat_purchase_rate", "Repeat purchases",
            lambda: life_cycle.repeat_section(orders, as_of),
        ))  # fmt: skip
        cohorts, matrix = life_cycle.cohort_section(orders, as_of)
        add("cohorts", cohorts)
        if matrix is not None:
            report.charts["cohorts"] = charts.cohort_chart(matrix)
    _voice(report, store, until, str(cfg["nps_period"]))
    add(
        "cases",
        _guarded("cases", "Complaints and follow-ups", lambda: work.case_section(store, now)),
    )
    add("outreach", _guarded(
        "outreach", "Whom to contact this week",
        lambda: work.outreach_section(store, now, settings),
    ))  # fmt: skip
    add("clv", work.clv_section(store))
    return report


def _voice(report: Report, store: Store, until: datetime, period: str) -> None:
    """The NPS section (with its trend chart) and the themes section."""
    title = "What customers say (NPS)"
    try:
        trend = voice.nps_trend(store, until, period)
        figures = voice.nps_figures(store, until, trend)
    except RetainError as exc:
        report.sections["nps"] = Section("nps", title, reason=exc.message)
        figures = None
    else:
        if figures is None:
            report.sections["nps"] = Section("nps", title, reason="no survey answers yet")
        else:
            keep = ["group", "n", "score", "score_low", "score_high"]
            figures["trend"] = life_cycle.rows(trend[keep])
            report.sections["nps"] = Section("nps", title, figures)
            report.charts["nps"] = charts.nps_chart(trend, period)
    report.sections["themes"] = _guarded(
        "themes", "What customers write about", _themes(store, until)
    )


def _themes(store: Store, until: datetime) -> Callable[[], Section]:
    def compute() -> Section:
        themes = voice.theme_figures(store, until)
        if not themes:
            return Section("themes", "What customers write about", reason="no recurring themes")
        return Section("themes", "What customers write about", {"rows": themes})

    return compute
