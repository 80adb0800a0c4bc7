"""The voice-of-the-customer part of the report: NPS of the latest period against the one
before, its trend, and the comment themes. Figures from :mod:`retain.voice`.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pandas as pd

from retain import voice
from retain.report.life_cycle import plain, rows
from retain.store import Store

#: periods shown on the NPS trend
TREND_PERIODS = 8
#: comment themes shown, and the days of answers they are found in
TOP_THEMES = 5
THEME_DAYS = 365


def nps_trend(store: Store, until: datetime, period: str) -> pd.DataFrame:
    """NPS per ``period`` (month, quarter, year) of the answers before ``until``, the last
    :data:`TREND_PERIODS` periods that have answers (:func:`retain.voice.score_report`)."""
    answers = voice.load_answers(store, voice.Scope(kind="nps", until=until))
    if answers.empty:
        return pd.DataFrame()
    table = voice.score_report(store, voice.Scope(kind="nps", until=until), by=period)
    return table.tail(TREND_PERIODS).reset_index(drop=True)


def _scores(answers: pd.DataFrame, group: str) -> pd.Series:
    start, end = voice.period_bounds(group)
    when = pd.to_datetime(answers["responded_at"], utc=True)
    return answers.loc[(when >= start) & (when < end), "nps_score"].astype(int)


def nps_figures(store: Store, until: datetime, trend: pd.DataFrame) -> dict[str, Any] | None:
    """NPS of the latest period of ``trend`` (:func:`retain.voice.nps`) compared with the
    period before it as baseline (:func:`retain.voice.compare`); None without answers."""
    if trend.empty:
        return None
    answers = voice.load_answers(store, voice.Scope(kind="nps", until=until))
    latest = str(trend["group"].iloc[-1])
    result = voice.nps(_scores(answers, latest))
    out: dict[str, Any] = {
        "period": latest,
        "n": result.n,
        "score": result.score,
        "margin_of_error": result.margin_of_error,
        "low": result.score_low,
        "high": result.score_high,
        "promoters": result.promoters,
        "passives": result.passives,
        "detractors": result.detractors,
        "warning": result.warning,
        "baseline": None,
    }
    if len(trend) > 1:
        previous = str(trend["group"].iloc[-2])
        change = voice.compare(result, voice.nps(_scores(answers, previous)))
        out["baseline"] = {
            "period": previous,
            "n": change.n_baseline,
            "score": change.baseline,
            "difference": change.difference,
            "difference_low": change.mover_low,
            "difference_high": change.mover_high,
            "p_value": change.p_value,
            "significant": change.significant,
        }
    return plain(out)


def theme_figures(store: Store, until: datetime, top: int = TOP_THEMES) -> list[dict[str, Any]]:
    """The ``top`` comment themes of the answers and reviews of the last :data:`THEME_DAYS`
    days before ``until``, worst NPS drag first (:func:`retain.voice.find_themes`)."""
    since = until - timedelta(days=THEME_DAYS)
    answers = voice.load_answers(store, voice.Scope(kind="all", since=since, until=until))
    if answers.empty:
        return []
    themes, _ = voice.find_themes(answers)
    keep = ["theme", "mentions", "share", "nps", "nps_drag", "examples"]
    return rows(themes.head(top)[keep])
