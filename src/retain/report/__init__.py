"""The owner's Monday-morning report: one self-contained file (HTML, or Markdown with PNG
charts beside it), or its figures as JSON.

Every figure comes from a public function of its capability (life cycle:
:mod:`retain.analytics`; voice: :mod:`retain.voice`; cases:
:mod:`retain.service`; outreach: :mod:`retain.outreach`); :func:`build_report`
assembles them, :func:`render_html` and :func:`render_markdown` lay them out.
"""

from retain.report.build import DEFAULTS, build_report, report_settings
from retain.report.model import DEFINITIONS, Chart, Report, Section
from retain.report.render import render_html, render_markdown, write_report

__all__ = [
    "DEFAULTS",
    "DEFINITIONS",
    "Chart",
    "Report",
    "Section",
    "build_report",
    "render_html",
    "render_markdown",
    "report_settings",
    "write_report",
]
