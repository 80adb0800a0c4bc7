"""Lay the report out: one self-contained HTML page (charts inline as SVG, no outside
references), or Markdown with PNG charts in files beside it.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from retain.errors import InvalidInputError
from retain.report.charts import inline_svg
from retain.report.model import Report

STAGE_WORDS = {
    "unknown": "not yet known",
    "prospect": "prospect",
    "new": "new",
    "active": "active",
    "loyal": "loyal",
    "lapsed": "lapsed",
    "inactive": "inactive",
}
HTML_SUFFIXES = (".html", ".htm")
MARKDOWN_SUFFIXES = (".md", ".markdown")


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def pct(rate: Any, digits: int = 1) -> str:
    """A rate 0..1 as a percentage, e.g. ``0.4213`` -> ``42.1%``; a dash when missing."""
    return "-" if _missing(rate) else f"{100 * float(rate):.{digits}f}%"


def points(value: Any, signed: bool = False) -> str:
    """NPS points with one decimal (``+3.2`` when ``signed``)."""
    if _missing(value):
        return "-"
    return f"{float(value):+.1f}" if signed else f"{float(value):.1f}"


def money(minor: Any, currency: str) -> str:
    """Integer minor units as whole currency units with thousands separators."""
    return "-" if _missing(minor) else f"{round(float(minor) / 100):,} {currency}"


def number(value: Any) -> str:
    """A count with thousands separators."""
    return "-" if _missing(value) else f"{int(value):,}"


def _environment(autoescape: bool) -> Environment:
    env = Environment(
        loader=PackageLoader("retain.report", "templates"),
        autoescape=select_autoescape(["html"]) if autoescape else False,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(pct=pct, points=points, money=money, number=number)
    env.globals["stage_word"] = lambda s: STAGE_WORDS.get(str(s), str(s))
    return env


def _context(report: Report) -> dict[str, Any]:
    return {
        "r": report,
        "s": report.sections,
        "currency": report.currency,
        "title": f"Monday report{' - ' + report.business if report.business else ''}",
    }


def render_html(report: Report) -> str:
    """The report as one HTML page; charts are inline SVG, nothing is loaded from elsewhere."""
    svgs = {name: Markup(inline_svg(chart)) for name, chart in report.charts.items()}
    template = _environment(True).get_template("report.html")
    return template.render(**_context(report), charts=svgs)


def render_markdown(report: Report, chart_folder: Path | None = None, prefix: str = "") -> str:
    """The report as Markdown; with ``chart_folder`` the charts are written there as
    ``{prefix}{name}.png`` and linked by that file name (keep them beside the .md file)."""
    images: dict[str, str] = {}
    if chart_folder is not None:
        chart_folder.mkdir(parents=True, exist_ok=True)
        for name, chart in report.charts.items():
            path = chart.draw(chart_folder / f"{prefix}{name}.png")
            images[name] = Path(path).name
    template = _environment(False).get_template("report.md")
    return template.render(**_context(report), charts=images)


def write_report(report: Report, path: str | Path) -> list[Path]:
    """Write the report to ``path`` (.html, or .md with ``<stem>-<chart>.png`` beside it);
    returns the files written."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in HTML_SUFFIXES:
        path.write_text(render_html(report), encoding="utf-8")
        return [path]
    if suffix in MARKDOWN_SUFFIXES:
        text = render_markdown(report, path.parent, prefix=f"{path.stem}-")
        path.write_text(text, encoding="utf-8")
        return [path, *(path.parent / f"{path.stem}-{n}.png" for n in report.charts)]
    raise InvalidInputError(
        f"cannot write a report to {path.name}: end the file name in .html or .md"
    )
