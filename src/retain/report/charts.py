"""The report's charts (matplotlib, Agg): stages as bars, the cohort heat map, the NPS trend
with its interval band. Each is a :class:`~retain.report.model.Chart` whose ``draw(path)``
writes SVG or PNG; :func:`inline_svg` gives the SVG markup to embed in a page.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd

from retain.report.model import Chart


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def stage_chart(counts: list[dict[str, Any]]) -> Chart:
    """Bars of customers per stage (substages summed), from the stage section's rows."""
    from retain.analytics import STAGES
    from retain.analytics.charts import COLOURS

    per = pd.DataFrame(counts).groupby("stage")["customers"].sum()
    per = per.reindex(list(STAGES), fill_value=0)

    def draw(path: Path) -> Path:
        plt = _pyplot()
        fig, ax = plt.subplots(figsize=(7, 3.5))
        try:
            bars = ax.bar(per.index, per.to_numpy(), color=[COLOURS[s] for s in per.index])
            ax.bar_label(bars, fontsize=8)
            ax.set_ylabel("customers")
            ax.set_title("Customers per life-cycle stage")
            fig.tight_layout()
            fig.savefig(path, dpi=110)
        finally:
            plt.close(fig)
        return path

    return Chart("stages", "Customers per stage", draw)


def cohort_chart(matrix: pd.DataFrame) -> Chart:
    """The cohort heat map of :func:`retain.analytics.charts.cohort_figure`, without month 0
    (100% by definition, it would flatten the colour scale)."""
    from retain.analytics.charts import cohort_figure

    matrix = matrix.drop(columns=[0], errors="ignore")

    def draw(path: Path) -> Path:
        plt = _pyplot()
        fig = cohort_figure(matrix, "retained_pct")
        try:
            fig.savefig(path, dpi=110)
        finally:
            plt.close(fig)
        return path

    return Chart("cohorts", "Cohorts: % who bought again, by months since first purchase", draw)


def nps_chart(trend: pd.DataFrame, period: str) -> Chart:
    """The NPS trend with its 95% band, drawn by :func:`retain.voice.trend_chart`."""
    from retain.voice import trend_chart

    def draw(path: Path) -> Path:
        return trend_chart(trend, path, title=f"NPS by {period}, with its 95% interval")

    return Chart("nps", f"NPS by {period}", draw)


_PROLOGUE = re.compile(r"^.*?(?=<svg\b)", re.DOTALL)
_METADATA = re.compile(r"<metadata>.*?</metadata>\s*", re.DOTALL)


def inline_svg(chart: Chart) -> str:
    """The chart as ``<svg ...>...</svg>`` markup, without the XML prologue and metadata."""
    with tempfile.TemporaryDirectory(prefix="retain-report-") as folder:
        path = Path(folder) / f"{chart.name}.svg"
        chart.draw(path)
        text = path.read_text(encoding="utf-8")
    return _METADATA.sub("", _PROLOGUE.sub("", text, count=1))
