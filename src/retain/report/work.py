"""The work part of the report: open and late cases with SLA attainment
(:mod:`retain.service`), this week's outreach list (:mod:`retain.outreach`) and stored
CLV (``retain.clv.scores.latest_scores``, when that capability exists).
"""

from __future__ import annotations

from datetime import datetime

from retain.config import Settings
from retain.report.life_cycle import plain, rows
from retain.report.model import Section
from retain.store import Store

#: actions shown from the outreach plan
TOP_ACTIONS = 10
LIVE_STATUSES = ("open", "pending")


def case_section(store: Store, now: datetime) -> Section:
    """Open/pending cases, the late ones (:func:`retain.service.find_cases`) and SLA
    attainment (:func:`retain.service.case_metrics`)."""
    from retain.service import case_metrics, find_cases

    cases = find_cases(store, now=now, statuses=list(LIVE_STATUSES))
    late = cases[cases["breached"].fillna("") != ""]
    by_priority = cases.groupby("priority").size().to_dict() if len(cases) else {}
    sla = case_metrics(store, as_of=now).sla
    keep = ["target", "met", "breached", "attainment", "lower", "upper"]
    return Section(
        "cases",
        "Complaints and follow-ups",
        {
            "open": len(cases),
            "late": len(late),
            "by_priority": plain({str(k): v for k, v in by_priority.items()}),
            "sla": rows(sla[keep]) if len(sla) else [],
        },
    )


def outreach_section(
    store: Store, now: datetime, settings: Settings, top: int = TOP_ACTIONS
) -> Section:
    """The first ``top`` actions of this week's plan (:func:`retain.outreach.plan`),
    computed without saving anything."""
    try:
        from retain import analytics, outreach
    except ImportError as exc:  # the capability is not installed
        return Section("outreach", "Whom to contact this week", reason=_missing(exc))
    from retain.config import section

    cfg = outreach.outreach_settings(section(settings, "outreach", outreach.DEFAULTS))
    lifecycle = section(settings, "lifecycle", analytics.DEFAULTS)
    actions = outreach.plan(
        store, as_of=now, cfg=cfg, lifecycle=lifecycle, limit=top, save=False, tz=settings.tz
    )
    keep = ("customer_id", "name", "rule", "reason", "score", "value")
    data = {
        "cycle": outreach.cycle_of(now),
        "rows": [plain({k: a.get(k) for k in keep}) for a in actions],
    }
    return Section("outreach", "Whom to contact this week", data)


def clv_section(store: Store) -> Section:
    """Stored CLV (``retain.clv.scores.latest_scores``) when that capability exists and a
    model was fitted: customers scored, their summed CLV (minor units), the model and its
    horizon. Otherwise "not available yet" with the reason; never an estimate of our own."""
    title = "Customer lifetime value"
    try:
        from retain.clv.scores import latest_scores
    except ImportError:
        return Section("clv", title, reason="not available yet: no stored CLV scores")
    try:
        scores = latest_scores(store)
    except Exception as exc:  # a capability still in the making must not sink the report
        return Section("clv", title, reason=f"not available yet: {type(exc).__name__}")
    if scores.empty:
        return Section(
            "clv", title, reason="not available yet: no CLV model fitted (run retain clv fit)"
        )
    first = scores.iloc[0]
    data = {
        "customers": len(scores),
        "total_minor": plain(scores["clv_minor"].sum()),
        "mean_minor": plain(scores["clv_minor"].mean()),
        "model": plain(first.get("model")),
        "as_of": plain(first.get("as_of")),
        "horizon_months": plain(first.get("horizon_months")),
        "currency": plain(first.get("currency")),
    }
    return Section("clv", title, data)


def _missing(exc: ImportError) -> str:
    return f"not available yet: {exc.name or 'a capability'} is not installed"
