"""The dashboard figures as the API shows them."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class Figure(BaseModel):
    """One figure: its data, or why it is not available."""

    available: bool
    reason: str | None = Field(description="why the figure is missing, when it is")
    data: Any = Field(description="the figure's rows or numbers (see docs/web.md)")


class Dashboard(BaseModel):
    """Every figure of the dashboard, as of ``as_of``."""

    as_of: str
    stages: Figure
    flows: Figure
    returning: Figure
    cohorts: Figure
    at_risk: Figure
    nps: Figure
    cases: Figure
