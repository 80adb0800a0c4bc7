"""Service cases as the API takes and shows them."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from retain.web.schemas.common import Id

Version = Field(
    default=None, ge=1, le=2_147_483_647, description="the version read (optimistic lock)"
)


class CaseSummary(BaseModel):
    """A case in the queue; ``breached``: SLA targets missed now (comma-separated)."""

    id: int
    customer_id: int
    customer: str | None
    subject: str
    source: str
    category: str | None
    priority: str
    status: str
    owner: str | None
    opened_at: datetime
    first_response_due_at: datetime | None
    resolution_due_at: datetime | None
    breached: str


class CaseEvent(BaseModel):
    """One entry of a case's audit trail."""

    at: datetime
    actor: str | None
    kind: str
    field: str | None
    old_value: str | None
    new_value: str | None
    body: str | None
    internal: bool


class CaseDetail(BaseModel):
    """A case with its audit trail (oldest first)."""

    id: int
    customer_id: int
    customer: str | None
    customer_name: str | None
    subject: str
    description: str | None
    source: str
    category: str | None
    priority: str
    priority_reason: str | None
    status: str
    owner: str | None
    opened_at: datetime
    first_response_due_at: datetime | None
    resolution_due_at: datetime | None
    first_responded_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    resolution_code: str | None
    resolution_note: str | None
    reopen_count: int
    version: int
    events: list[CaseEvent]


class CaseCreate(BaseModel):
    """A new case about a customer; owner, priority and SLA are set by the rules."""

    model_config = ConfigDict(extra="forbid")
    customer_id: Id
    subject: str = Field(min_length=1, max_length=500, pattern=r"[A-Za-z0-9]")
    description: str | None = Field(default=None, max_length=5000)
    category: str | None = Field(default=None, max_length=100)
    source: Literal["complaint", "email", "call", "manual"] = "manual"


class CaseComment(BaseModel):
    """A message to the customer, or an internal note (``internal``)."""

    model_config = ConfigDict(extra="forbid")
    body: str = Field(min_length=1, max_length=5000, pattern=r"[A-Za-z0-9]")
    internal: bool = False
    version: int | None = Version


class CaseStatus(BaseModel):
    """Move a case to another status (resolving needs ``/resolve``)."""

    model_config = ConfigDict(extra="forbid")
    status: Literal["open", "pending", "closed"]
    note: str | None = Field(default=None, max_length=5000)
    version: int | None = Version


class CaseResolve(BaseModel):
    """Resolve a case with a resolution code."""

    model_config = ConfigDict(extra="forbid")
    code: str = Field(min_length=1, max_length=100, pattern=r"[A-Za-z0-9]")
    note: str | None = Field(default=None, max_length=5000)
    version: int | None = Version


class CaseAssign(BaseModel):
    """Give a case to another agent (username)."""

    model_config = ConfigDict(extra="forbid")
    owner: str = Field(min_length=1, max_length=80)
    reason: str | None = Field(default=None, max_length=500)
    version: int | None = Version
