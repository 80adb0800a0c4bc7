"""Surveys and their results as the API shows them."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel


class SurveyRow(BaseModel):
    """A survey with its invitations, answers and response rate (0..1, None: no invitations)."""

    id: int
    name: str
    kind: str
    status: str
    created_at: datetime
    closes_at: datetime | None
    open_link: bool
    invited: int
    answered: int
    responses: int
    response_rate: float | None


class Score(BaseModel):
    """NPS (or CSAT) of a group of answers with its interval (``low``..``high``)."""

    group: str
    n: int
    score: float | None
    low: float | None
    high: float | None
    margin_of_error: float | None


class Theme(BaseModel):
    """A comment theme: how often it is mentioned and how it drags the NPS."""

    theme: str
    mentions: int
    nps: float | None
    nps_drag: float | None
    examples: str | None


class Comment(BaseModel):
    """A comment with its score on the 0-10 scale."""

    score: int
    comment: str


class SurveyInfoOut(BaseModel):
    """The survey."""

    id: int
    name: str
    kind: str
    question: str
    status: str


class SurveyResults(BaseModel):
    """The results of one survey."""

    survey: SurveyInfoOut
    answers: int
    overall: Score | None
    by_category: list[Score]
    themes: list[Theme]
    comments: list[Comment]
