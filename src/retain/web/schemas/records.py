"""Orders, touchpoints and feedback as the API takes and shows them."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from retain.web.schemas.common import Id

OrderStatus = Literal["paid", "pending", "refunded", "partially_refunded", "cancelled"]
Money = Field(ge=0, le=10**15, description="integer minor units (cents)")
Currency = Field(pattern=r"^[A-Z]{3}$", description="ISO 4217 code")
ExternalId = Field(min_length=1, max_length=200)


class OrderCreate(BaseModel):
    """A new order; amounts are integer minor units (cents) of ``currency``."""

    model_config = ConfigDict(extra="forbid")
    external_id: str = ExternalId
    customer_id: Id
    ordered_at: AwareDatetime
    amount_minor: int = Money
    currency: str = Currency
    refunded_minor: int = Field(default=0, ge=0, le=10**15)
    cost_minor: int | None = Field(default=None, ge=0, le=10**15)
    product_category: str | None = Field(default=None, max_length=200)
    channel: str | None = Field(default=None, max_length=100)
    status: OrderStatus = "paid"

    @model_validator(mode="after")
    def _refund_within_amount(self) -> OrderCreate:
        if self.refunded_minor > self.amount_minor:
            raise ValueError("refunded_minor is larger than amount_minor")
        return self


class OrderUpdate(BaseModel):
    """Changes to an order: only the fields sent are changed."""

    model_config = ConfigDict(extra="forbid")
    ordered_at: AwareDatetime = Field(default=None)  # type: ignore[assignment]
    amount_minor: int = Field(default=None, ge=0, le=10**15)  # type: ignore[assignment]
    currency: str = Field(default=None, pattern=r"^[A-Z]{3}$")  # type: ignore[assignment]
    refunded_minor: int = Field(default=None, ge=0, le=10**15)  # type: ignore[assignment]
    cost_minor: int | None = Field(default=None, ge=0, le=10**15)
    product_category: str | None = Field(default=None, max_length=200)
    channel: str | None = Field(default=None, max_length=100)
    status: OrderStatus = Field(default=None)  # type: ignore[assignment]


class OrderPublic(BaseModel):
    """An order."""

    id: int
    external_id: str
    customer_id: int
    ordered_at: datetime
    amount_minor: int
    currency: str
    refunded_minor: int
    cost_minor: int | None
    product_category: str | None
    channel: str | None
    status: str
    created_at: datetime
    updated_at: datetime


class InteractionCreate(BaseModel):
    """A new touchpoint: a call, an e-mail, a visit, in or out."""

    model_config = ConfigDict(extra="forbid")
    external_id: str = ExternalId
    customer_id: Id
    occurred_at: AwareDatetime
    channel: str = Field(min_length=1, max_length=50)
    direction: Literal["inbound", "outbound"] = "outbound"
    kind: str | None = Field(default=None, max_length=100)
    note: str | None = Field(default=None, max_length=5000)
    by_whom: str | None = Field(default=None, max_length=200)


class InteractionUpdate(BaseModel):
    """Changes to a touchpoint: only the fields sent are changed."""

    model_config = ConfigDict(extra="forbid")
    occurred_at: AwareDatetime = Field(default=None)  # type: ignore[assignment]
    channel: str = Field(default=None, min_length=1, max_length=50)  # type: ignore[assignment]
    direction: Literal["inbound", "outbound"] = Field(default=None)  # type: ignore[assignment]
    kind: str | None = Field(default=None, max_length=100)
    note: str | None = Field(default=None, max_length=5000)
    by_whom: str | None = Field(default=None, max_length=200)


class InteractionPublic(BaseModel):
    """A touchpoint."""

    id: int
    external_id: str
    customer_id: int
    occurred_at: datetime
    channel: str
    direction: str
    kind: str | None
    note: str | None
    by_whom: str | None
    user_id: int | None
    campaign_ref: str | None
    created_at: datetime
    updated_at: datetime


class FeedbackCreate(BaseModel):
    """A survey answer or a review; ``score`` on its scale ``score_min``..``score_max``."""

    model_config = ConfigDict(extra="forbid")
    external_id: str = ExternalId
    customer_id: Id | None = None
    survey_id: Id | None = None
    source: str = Field(default="api", min_length=1, max_length=50)
    kind: Literal["nps", "csat", "review"] = "nps"
    score: float = Field(ge=-1000, le=1000, description="kept to 2 decimals")
    score_min: int = Field(default=0, ge=-1000, le=1000)
    score_max: int = Field(default=10, ge=-1000, le=1000)
    category: str | None = Field(default=None, max_length=100)
    comment: str | None = Field(default=None, max_length=5000)
    follow_up_answer: str | None = Field(default=None, max_length=5000)
    responded_at: AwareDatetime

    @model_validator(mode="after")
    def _score_on_scale(self) -> FeedbackCreate:
        if self.score_max <= self.score_min:
            raise ValueError("score_max must be above score_min")
        if not self.score_min <= self.score <= self.score_max:
            raise ValueError(f"score outside its scale {self.score_min}..{self.score_max}")
        return self


class FeedbackUpdate(BaseModel):
    """Changes to feedback (its text and topic; scores are not rewritten)."""

    model_config = ConfigDict(extra="forbid")
    category: str | None = Field(default=None, max_length=100)
    comment: str | None = Field(default=None, max_length=5000)
    follow_up_answer: str | None = Field(default=None, max_length=5000)


class FeedbackPublic(BaseModel):
    """A survey answer or a review; ``nps_score`` is the opinion on the 0-10 scale."""

    id: int
    external_id: str
    customer_id: int | None
    survey_id: int | None
    source: str
    kind: str
    score: float
    score_min: int
    score_max: int
    nps_score: int | None
    category: str | None
    comment: str | None
    follow_up_answer: str | None
    responded_at: datetime
    created_at: datetime
    updated_at: datetime
