"""Outreach actions (this week's plan) as the API shows them and takes changes to them."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

Rule = Literal[
    "case_sla",
    "detractor",
    "loyal_lapsing",
    "new_follow_up",
    "best_customer",
    "silent",
    "win_back",
    "yearly_letter",
]
ActionStatus = Literal["open", "assigned", "done", "snoozed"]


class ActionPublic(BaseModel):
    """One action of the plan: whom to contact, why, and what became of it.

    ``rank``: place in the cycle by ``score`` (value at stake per staff minute,
    see docs/outreach.md); ``value_minor``: the customer's yearly value in
    minor units; ``numbers``: the facts behind the reason.
    """

    id: int
    rank: int = Field(ge=1)
    cycle: str = Field(description="ISO week of the plan, e.g. 2026-W11")
    customer_id: int = Field(description="the customer's id in the store")
    external_id: str
    customer_name: str | None
    owner: str | None = Field(description="the customer's rep (username)")
    rule: str
    reason: str
    score: float
    value_minor: int
    numbers: dict[str, Any] | None
    channel: str
    status: ActionStatus
    assignee: str | None
    snoozed_until: datetime | None
    outcome: str | None
    done_at: datetime | None


class ActionAssign(BaseModel):
    """Give the action to a user (username)."""

    model_config = ConfigDict(extra="forbid")
    action: Literal["assign"]
    to: str = Field(min_length=1, max_length=80)


class ActionDone(BaseModel):
    """Mark the action done with what came of the contact (recorded on the timeline)."""

    model_config = ConfigDict(extra="forbid")
    action: Literal["done"]
    outcome: str = Field(min_length=1, max_length=5000, pattern=r"\S")


class ActionSnooze(BaseModel):
    """Put the action aside until a later time (the customer leaves the plan till then)."""

    model_config = ConfigDict(extra="forbid")
    action: Literal["snooze"]
    until: AwareDatetime


ActionChange = Annotated[ActionAssign | ActionDone | ActionSnooze, Field(discriminator="action")]


class RefreshResult(BaseModel):
    """The plan was built: its cycle and how many actions are to do."""

    cycle: str
    to_do: int = Field(ge=0)
