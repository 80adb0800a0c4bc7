"""Shapes shared by the API: pages of results and problem details."""

from __future__ import annotations

from typing import Annotated, Generic, TypeVar

from fastapi import Path, Query
from pydantic import BaseModel, Field

T = TypeVar("T")
#: a record id (32-bit, as the PostgreSQL columns are)
MAX_ID = 2_147_483_647
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
PathId = Annotated[int, Path(ge=1, le=MAX_ID)]
QueryId = Annotated[int | None, Query(ge=1, le=MAX_ID)]


class Page(BaseModel, Generic[T]):
    """One page of a list: ``items``, the ``total`` matching, and where this page is."""

    items: list[T]
    total: int = Field(ge=0, description="rows matching the filters, over all pages")
    page: int = Field(ge=1)
    per_page: int = Field(ge=1)


class ProblemDetails(BaseModel):
    """An error (RFC 9457)."""

    type: str
    title: str
    status: int
    detail: str


def problem(description: str) -> dict:
    """An error response for the OpenAPI description (served as application/problem+json)."""
    return {"model": ProblemDetails, "description": description}


#: error responses every protected endpoint can give, for the OpenAPI description
ERRORS = {
    401: problem("not logged in, or a bad or revoked token"),
    403: problem("the caller's role may not do this, or a missing CSRF token"),
    422: problem("a value that cannot be used; `errors` lists each"),
}
NOT_FOUND = {404: problem("no such record")}
CONFLICT = {409: problem("conflicts with an existing record")}
