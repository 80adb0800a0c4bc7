"""Customers as the API takes and shows them (one model per direction)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

Text200 = Annotated[str, Field(max_length=200)]
#: a plain shape check; deliverability is the mail server's business
Email = Annotated[str, Field(max_length=320, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
Country = Annotated[str, Field(pattern=r"^[A-Z]{2}$", description="ISO 3166 alpha-2")]


class _CustomerFields(BaseModel):
    """What a caller may set on a customer."""

    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(default=None, max_length=300)
    email: Email | None = None
    phone: str | None = Field(default=None, max_length=50)
    company: str | None = Field(default=None, max_length=300)
    birth_year: int | None = Field(default=None, ge=1880, le=2100)
    age_band: str | None = Field(default=None, max_length=20)
    gender: str | None = Field(default=None, max_length=30)
    profession: Text200 | None = None
    income_band: str | None = Field(default=None, max_length=50)
    city: Text200 | None = None
    region: Text200 | None = None
    country: Country | None = None
    postal_code: str | None = Field(default=None, max_length=20)
    acquisition_channel: str | None = Field(default=None, max_length=100)
    email_consent: bool | None = Field(
        default=None, description="true: agreed to e-mail; false: refused; null: never asked"
    )
    do_not_contact: bool = False
    do_not_contact_reason: str | None = Field(default=None, max_length=500)
    tags: list[Annotated[str, Field(max_length=100)]] | None = Field(default=None, max_length=50)
    owner: str | None = Field(default=None, max_length=80, description="the rep's username")


class CustomerCreate(_CustomerFields):
    """A new customer; ``external_id`` is the id in the business's own systems."""

    external_id: str = Field(min_length=1, max_length=200)


class CustomerUpdate(_CustomerFields):
    """Changes to a customer: only the fields sent are changed."""

    do_not_contact: bool = Field(default=None)  # type: ignore[assignment]


class CustomerPublic(BaseModel):
    """A customer."""

    id: int
    external_id: str
    name: str | None
    email: str | None
    phone: str | None
    company: str | None
    birth_year: int | None
    age_band: str | None
    gender: str | None
    profession: str | None
    income_band: str | None
    city: str | None
    region: str | None
    country: str | None
    postal_code: str | None
    acquisition_channel: str | None
    email_consent: bool | None
    consent_updated_at: datetime | None
    do_not_contact: bool
    do_not_contact_reason: str | None
    let_go: bool
    owner_id: int | None
    tags: list[str] | None
    competitor_status: str
    merged_into_id: int | None
    first_seen_at: datetime | None
    created_at: AwareDatetime
    updated_at: AwareDatetime


class CustomerListItem(CustomerPublic):
    """A customer in a list, with order totals (``spent_minor``: paid minus refunded)."""

    orders: int
    spent_minor: int
    currency: str | None
    last_order_at: datetime | None
    stage: str | None = Field(
        default=None,
        description="life-cycle stage by the dashboard's cached stage table; null before "
        "it is computed",
    )
    stage_as_of: datetime | None = Field(default=None, description="when that table was computed")


class TimelineEntry(BaseModel):
    """One event of a customer's history: an order, touchpoint, feedback or case."""

    kind: str = Field(description="order, interaction, feedback or case")
    id: int
    at: datetime
    title: str
    detail: str | None = None


class CustomerStage(BaseModel):
    """His life-cycle stage as of a day and the rule that puts him there."""

    as_of: date
    stage: str = Field(description="prospect, new, active, loyal, lapsed or inactive")
    substage: str = Field(description="short_term, long_term, seasonal, win_back, do_not_contact")
    purchases: int = Field(description="days with a purchase up to as_of")
    days_since_last_order: int | None
    expected_gap_days: int | None
    gap_source: str | None = Field(description="own, category, all or default")
    main_category: str | None
    seasonal: bool
    season_ends: date | None
    gone_quiet: bool
    do_not_contact: bool
    rule: list[str] = Field(description="lines that say which rule applies, with his numbers")


class StagePoint(BaseModel):
    """His stage at the end of one month (``unknown``: not known yet)."""

    as_of: date
    stage: str
    substage: str


class CustomerValue(BaseModel):
    """His stored CLV and P(alive) (from `retain clv score`) and what drives them."""

    available: bool
    reason: str | None = Field(description="why there is no value to show")
    model: str | None = None
    model_version: str | None = None
    as_of: date | None = Field(default=None, description="the day the scores were computed for")
    fitted_at: datetime | None = None
    horizon_months: int | None = None
    discount_rate: float | None = Field(default=None, description="annual")
    currency: str | None = None
    trust_level: str | None = None
    trust_message: str | None = None
    p_alive: float | None = Field(default=None, ge=0, le=1)
    expected_purchases: float | None = Field(default=None, description="over the horizon")
    expected_spend_minor: int | None = Field(default=None, description="per purchase")
    clv_minor: int | None = Field(default=None, description="discounted, over the horizon")
    frequency: int | None = Field(default=None, description="repeat purchase days by as_of")
    recency: int | None = Field(default=None, description="days from first to last purchase")
    T: int | None = Field(default=None, description="days from first purchase to as_of")
    monetary_value: float | None = Field(
        default=None, description="mean value of the repeat purchase days, minor units"
    )


class CustomerRing(BaseModel):
    """His relationship ring: visitor, audience, customer or community."""

    ring: str
    why: str = Field(description="the rule of the ring")
    facts: list[str] = Field(description="his facts that place him there")


class Customer360(BaseModel):
    """A customer with totals, one timeline of everything that happened, his life-cycle
    stage and its history, his value and his ring."""

    customer: CustomerListItem
    owner_username: str | None
    first_order_at: datetime | None
    open_cases: int
    timeline: list[TimelineEntry]
    lifecycle: CustomerStage | None = Field(
        description="null when he is merged into another customer"
    )
    stage_history: list[StagePoint] = Field(description="his stage at the last 24 month ends")
    value: CustomerValue
    ring: CustomerRing
