"""Users and API tokens as the API shows and takes them."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class UserPublic(BaseModel):
    """A user (never the password hash)."""

    model_config = ConfigDict(from_attributes=True)
    id: int
    username: str
    role: Literal["admin", "agent", "viewer"]
    display_name: str | None = None
    email: str | None = None
    is_active: bool


class UserCreate(BaseModel):
    """A new user."""

    model_config = ConfigDict(extra="forbid")
    username: str = Field(min_length=2, max_length=80, pattern=r"^[A-Za-z0-9][A-Za-z0-9._@-]+$")
    password: str = Field(min_length=10, max_length=1000)
    role: Literal["admin", "agent", "viewer"] = "viewer"
    display_name: str | None = Field(default=None, max_length=200)
    email: str | None = Field(default=None, max_length=320)


class TokenCreate(BaseModel):
    """A new API token for the caller."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=200, pattern=r"[A-Za-z0-9]")


class TokenPublic(BaseModel):
    """An API token as listed (no secret)."""

    model_config = ConfigDict(from_attributes=True)
    id: int
    name: str
    username: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class TokenCreated(BaseModel):
    """A token just made: ``token`` is shown this once only."""

    id: int
    name: str
    token: str
