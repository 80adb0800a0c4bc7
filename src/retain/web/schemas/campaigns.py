"""Campaigns as the API shows them (read only: campaigns are made with ``retain campaign``)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class CampaignSummary(BaseModel):
    """A campaign with the sizes of its arms and how many messages went out (sent or exported)."""

    id: int
    name: str
    channel: str
    status: str = Field(description="draft, scheduled, sending or sent")
    scheduled_at: datetime | None
    started_at: datetime | None
    treated: int
    control: int
    sent: int


class LiftRow(BaseModel):
    """One outcome, treated against control: counts, rates (0-1), lift and its 95% interval.

    ``lift`` = treated rate - control rate, with Newcombe's hybrid score
    interval ``lower``..``upper`` (null when an arm is empty); ``verdict``
    says in words whether the lift is distinguishable from zero.
    """

    outcome: str
    treated: int
    treated_n: int
    treated_rate: float | None
    control: int
    control_n: int
    control_rate: float | None
    lift: float | None
    lower: float | None
    upper: float | None
    verdict: str


class CampaignReportPublic(BaseModel):
    """What a campaign changed, measured from ``start`` to ``end`` (``complete``: window over)."""

    campaign: str
    start: datetime
    end: datetime
    complete: bool
    sends: dict[str, int] = Field(description="send log rows by status")
    lifts: list[LiftRow]
    summary: list[str] = Field(description="the report as sentences")
