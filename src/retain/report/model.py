"""What a report holds: sections of figures (JSON-ready), their definitions, and charts.

A :class:`Section` is available with its ``data``, or unavailable with a
``reason`` a person can read ("no survey answers yet", "not available yet:
..."). Nothing is made up to fill a gap.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

#: one line per figure: what it means, in the owner's words (shown beside the figure)
DEFINITIONS: dict[str, str] = {
    "stages": (
        "Customers per life-cycle stage today: prospect (never bought), new (one purchase), "
        "active (came back), loyal (3+ purchases by default), lapsed (later than their usual gap), "
        "inactive (long gone)."
    ),
    "flows": "How many customers moved from one stage to another in the last 30 days.",
    "returning_rate": (
        "Returning-customer rate: of the customers who bought in a month, the share who had "
        "bought before."
    ),
    "repeat_purchase_rate": (
        "Repeat purchase rate: of everyone who ever bought, the share who bought on two days "
        "or more."
    ),
    "cohorts": (
        "Cohorts: customers grouped by the month of their first purchase; each cell is the % "
        "of them who bought again k months later (month 0, 100% by definition, is left out)."
    ),
    "nps": (
        "NPS (Net Promoter Score): % promoters (9-10) minus % detractors (0-6) among survey "
        "answers, from -100 to 100; the margin of error is the 95% range around it."
    ),
    "themes": (
        "Comment themes: what customers write about most, worst first by how many NPS points "
        "the theme costs (NPS drag)."
    ),
    "cases": (
        "Cases: complaints and follow-ups still open or waiting; late means a response or "
        "resolution target (SLA) was missed. SLA attainment: share of targets met on time."
    ),
    "revenue_at_risk": (
        "Revenue at risk: lapsed customers who bought 3+ times (the loyal threshold), times "
        "what each spent per year (net revenue over the years from first to last order, at "
        "least one year)."
    ),
    "outreach": "This week's outreach list: whom to contact first and why, best first.",
    "clv": "Customer lifetime value: what the customers are expected to spend from now on.",
}


@dataclass(frozen=True)
class Section:
    """One part of the report: its figures (``data``) or why there are none (``reason``)."""

    name: str
    title: str
    data: Any = None
    reason: str | None = None

    @property
    def available(self) -> bool:
        """True when the section has figures."""
        return self.reason is None

    @property
    def definition(self) -> str:
        """The figure's definition in one line."""
        return DEFINITIONS.get(self.name, "")

    def to_dict(self) -> dict[str, Any]:
        """``available``, ``reason``, ``definition`` and ``data`` as plain values."""
        return {
            "title": self.title,
            "available": self.available,
            "reason": self.reason,
            "definition": self.definition,
            "data": self.data,
        }


@dataclass(frozen=True)
class Chart:
    """A chart of the report; ``draw(path)`` writes it as SVG or PNG (by the suffix)."""

    name: str
    title: str
    draw: Callable[[Path], Any]


@dataclass
class Report:
    """The owner's Monday report as of a date: sections in reading order, and charts."""

    as_of: date
    business: str
    currency: str
    sections: dict[str, Section] = field(default_factory=dict)
    charts: dict[str, Chart] = field(default_factory=dict)

    def section(self, name: str) -> Section:
        """The section ``name`` (KeyError if the report has none)."""
        return self.sections[name]

    def to_dict(self) -> dict[str, Any]:
        """The figures as JSON-ready data: ``as_of``, ``currency``, ``sections`` by name."""
        return {
            "as_of": self.as_of.isoformat(),
            "business": self.business,
            "currency": self.currency,
            "sections": {name: s.to_dict() for name, s in self.sections.items()},
        }
