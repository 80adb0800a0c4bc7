"""Customers as the API takes and shows them (one model per direction)."""

from __future__ import annotations

from datetime import datetime
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


class TimelineEntry(BaseModel):
    """One event of a customer's history: an order, touchpoint, feedback or case."""

    kind: str = Field(description="order, interaction, feedback or case")
    id: int
    at: datetime
    title: str
    detail: str | None = None


class Customer360(BaseModel):
    """A customer with totals and one timeline of everything that happened."""

    customer: CustomerListItem
    owner_username: str | None
    first_order_at: datetime | None
    open_cases: int
    timeline: list[TimelineEntry]
