"""Segments as the API takes and shows them."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

#: a name that reads well in a URL and on the command line
SEGMENT_NAME = r"^[A-Za-z0-9][A-Za-z0-9_.\- ]{0,79}$"


class SegmentCreate(BaseModel):
    """A new segment: its name and its filter (see docs/audience.md for the language)."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(pattern=SEGMENT_NAME, max_length=80)
    expression: str = Field(
        min_length=1,
        max_length=2000,
        description='e.g. stage in (loyal, active) and country = "DE"',
    )
    description: str | None = Field(default=None, max_length=500)


class SegmentSummary(BaseModel):
    """A saved segment and what it is worth as of today.

    ``share``, ``revenue_share``, ``value_share`` are fractions 0-1;
    ``revenue`` (net, to date) and ``clv`` (next 12 months) in currency
    units. ``warnings``: too small, everyone, empty. ``error`` replaces the
    figures when the saved filter cannot be applied.
    """

    name: str
    expression: str
    description: str | None
    customers: int | None = Field(default=None, ge=0)
    total: int | None = Field(default=None, ge=0)
    share: float | None = None
    revenue: float | None = None
    revenue_share: float | None = None
    clv: float | None = None
    value_share: float | None = None
    warnings: list[str] = []
    error: str | None = None


class SegmentComparison(BaseModel):
    """The segment, or everyone, side by side (see ``retain.audience.compare_segments``).

    ``nps`` -100..100 of the latest answers (null: nobody answered);
    ``mean_clv`` in currency units; ``repeat_rate`` and ``retained`` are
    fractions 0-1 of the buyers; ``stage_<name>`` the share in each stage.
    """

    model_config = ConfigDict(extra="allow")
    segment: str
    customers: int
    share: float
    nps: float | None
    nps_answers: int
    mean_clv: float | None
    repeat_rate: float
    retained: float


class Trait(BaseModel):
    """One trait that sets the segment apart (Fisher or Mann-Whitney, Benjamini-Hochberg q)."""

    attribute: str
    value: str
    group: float | None
    rest: float | None
    group_share: float | None
    rest_share: float | None
    lift: float | None
    test: str
    p_value: float | None
    q_value: float | None
    significant: bool


class SegmentDetail(SegmentSummary):
    """A segment beside everyone, and the traits that set it apart (significant only)."""

    compare: list[SegmentComparison]
    profile: list[Trait]
    profile_note: str | None = Field(description="why no trait is listed, when none is")
