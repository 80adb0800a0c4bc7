"""Segments: the ``/segments`` pages and ``/api/v1/segments`` (admins create and delete)."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import RedirectResponse, Response

from retain.audience import FilterError
from retain.errors import ConflictError, InvalidInputError
from retain.web import segments
from retain.web.deps import Admin, Now, Reader, StoreDep
from retain.web.pages import render
from retain.web.schemas.common import CONFLICT, ERRORS, NOT_FOUND, Page
from retain.web.schemas.segments import (
    SEGMENT_NAME,
    SegmentCreate,
    SegmentDetail,
    SegmentSummary,
)

api = APIRouter(prefix="/api/v1/segments", tags=["segments"], responses=ERRORS)
pages = APIRouter(include_in_schema=False)

Name = Annotated[str, Path(min_length=1, max_length=80, description="the segment's name")]
PageNo = Annotated[int, Query(ge=1, le=1_000_000, description="page number, from 1")]
PerPage = Annotated[int, Query(ge=1, le=5000, description="rows per page")]


def _frame(request: Request, store, now):
    return segments.audience_cache(request.app.state).get(store, now.date())


@api.get("", response_model=Page[SegmentSummary])
def list_segments(
    request: Request,
    store: StoreDep,
    user: Reader,
    now: Now,
    page: PageNo = 1,
    per_page: Annotated[int, Query(ge=1, le=500, description="rows per page")] = 50,
) -> Page[SegmentSummary]:
    """The saved segments by name, each with its size, share of revenue and value, warnings."""
    rows = segments.overview(store, _frame(request, store, now))
    start = (page - 1) * per_page
    items = [SegmentSummary.model_validate(r) for r in rows[start : start + per_page]]
    return Page[SegmentSummary](items=items, total=len(rows), page=page, per_page=per_page)


@api.post("", response_model=SegmentSummary, status_code=201, responses=CONFLICT)
def create_segment(
    request: Request, body: SegmentCreate, store: StoreDep, user: Admin, now: Now
) -> SegmentSummary:
    """Save a segment after checking its filter (422 naming the column of the mistake)."""
    segments.create(store, body.name, body.expression, body.description, now)
    row = segments.size_of(_frame(request, store, now), body.model_dump())
    return SegmentSummary.model_validate(row)


@api.get("/{name}", response_model=SegmentDetail, responses=NOT_FOUND)
def get_segment(
    request: Request, name: Name, store: StoreDep, user: Reader, now: Now
) -> SegmentDetail:
    """A segment's size, NPS, CLV, retention and stage mix beside everyone's, and its profile."""
    cache = segments.audience_cache(request.app.state)
    return SegmentDetail.model_validate(segments.cached_portrait(store, cache, now.date(), name))


@api.delete("/{name}", status_code=204, responses=NOT_FOUND)
def delete_segment(name: Name, store: StoreDep, user: Admin) -> Response:
    """Remove a saved segment (campaigns keep the customers they drew)."""
    segments.delete(store, name)
    return Response(status_code=204)


@api.get("/{name}/members", response_model=Page[str], responses=NOT_FOUND)
def segment_members(
    request: Request,
    name: Name,
    store: StoreDep,
    user: Reader,
    now: Now,
    page: PageNo = 1,
    per_page: PerPage = 500,
) -> Page[str]:
    """The segment's customers as of today: external ids, sorted."""
    ids = segments.members(store, _frame(request, store, now), name)
    start = (page - 1) * per_page
    return Page[str](
        items=ids[start : start + per_page], total=len(ids), page=page, per_page=per_page
    )


def _list_page(request: Request, store, now, form: dict | None = None, error: str | None = None):
    rows = segments.overview(store, _frame(request, store, now))
    context = {
        "nav": "segments",
        "rows": rows,
        "form": form or {},
        "error": error,
        "fields": segments.field_help(),
        "currency": request.app.state.settings.currency,
        "major": segments.major_money,
        "as_of": now.date(),
    }
    return render(request, "segments.html", context, status_code=422 if error else 200)


@pages.get("/segments")
def segments_page(request: Request, store: StoreDep, user: Reader, now: Now) -> Response:
    return _list_page(request, store, now)


@pages.post("/segments")
def create_form(
    request: Request,
    store: StoreDep,
    user: Admin,
    now: Now,
    name: Annotated[str, Form(max_length=80)] = "",
    expression: Annotated[str, Form(max_length=2000)] = "",
    description: Annotated[str | None, Form(max_length=500)] = None,
) -> Response:
    import re

    form = {"name": name, "expression": expression, "description": description or ""}
    if not re.match(SEGMENT_NAME, name):
        return _list_page(
            request,
            store,
            now,
            form,
            "name: start with a letter or digit; letters, digits, "
            "spaces, dots, dashes and underscores, at most 80",
        )
    try:
        segments.create(store, name.strip(), expression, description, now)
    except (FilterError, ConflictError, InvalidInputError) as exc:
        return _list_page(request, store, now, form, exc.message)
    return RedirectResponse(f"/segments/{quote(name.strip(), safe='')}", status_code=303)


@pages.get("/segments/{name}")
def segment_page(request: Request, name: Name, store: StoreDep, user: Reader, now: Now) -> Response:
    cache = segments.audience_cache(request.app.state)
    detail = segments.cached_portrait(store, cache, now.date(), name)
    context = {
        "nav": "segments",
        "s": detail,
        "quoted": quote(name, safe=""),
        "currency": request.app.state.settings.currency,
        "major": segments.major_money,
        "as_of": now.date(),
    }
    return render(request, "segment.html", context)


@pages.post("/segments/{name}/delete")
def delete_form(name: Name, store: StoreDep, user: Admin) -> Response:
    segments.delete(store, name)
    return RedirectResponse("/segments", status_code=303)
