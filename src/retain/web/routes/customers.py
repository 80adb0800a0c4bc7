"""Customers: the list and the customer 360 page, and ``/api/v1/customers``."""

from __future__ import annotations

from datetime import UTC
from typing import Annotated, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from retain.analytics.stages import STAGES
from retain.errors import NotFoundError
from retain.store import customers as db
from retain.store.audience import list_segments
from retain.web import records
from retain.web.customer360 import (
    GapCache,
    customer_figures,
    lifecycle_config,
    stage_history_spec,
)
from retain.web.customer_list import add_stages, segment_members_of, stage_members
from retain.web.deps import Now, Reader, StoreDep, Worker
from retain.web.pages import render
from retain.web.schemas.common import CONFLICT, ERRORS, NOT_FOUND, Page, PathId
from retain.web.schemas.customers import (
    Customer360,
    CustomerCreate,
    CustomerListItem,
    CustomerPublic,
    CustomerUpdate,
)

api = APIRouter(prefix="/api/v1/customers", tags=["customers"], responses=ERRORS)
pages = APIRouter(include_in_schema=False)

CustomerSort = Literal[
    "name",
    "-name",
    "created_at",
    "-created_at",
    "external_id",
    "-external_id",
    "country",
    "-country",
    "id",
    "-id",
]
PageNo = Annotated[int, Query(ge=1, le=1_000_000, description="page number, from 1")]
PerPage = Annotated[int, Query(ge=1, le=500, description="rows per page")]
Search = Annotated[
    str | None, Query(max_length=200, description="part of name, e-mail, company or id")
]
CountryQ = Annotated[str | None, Query(pattern=r"^[A-Za-z]{2}$", description="ISO alpha-2")]
RepQ = Annotated[str | None, Query(max_length=80, description="the rep's username")]
MinSpent = Annotated[
    int | None, Query(ge=0, le=10**15, description="paid minus refunded, minor units")
]


StageQ = Annotated[
    Literal["prospect", "new", "active", "loyal", "lapsed", "inactive"] | None,
    Query(description="life-cycle stage, by the dashboard's stage table (see stage_as_of)"),
]
SegmentQ = Annotated[str | None, Query(max_length=200, description="a saved segment's name")]


def _list(
    request: Request, store, q, country, rep, min_spent_minor, stage, segment, sort, page, per_page
):
    owner_id = None
    if rep:
        try:
            owner_id = db.user_id_for(store, rep)
        except NotFoundError:
            owner_id = 0  # nobody: matches no customer
    state = request.app.state
    ids = None
    if stage:
        ids, _ = stage_members(state, store, stage)
    if segment:
        members = segment_members_of(state, store, segment)
        ids = members if ids is None else ids & members
    rows, total = db.customer_page(
        store,
        search=q,
        country=country,
        owner_id=owner_id,
        min_spent_minor=min_spent_minor,
        ids=ids,
        sort=sort,
        page=page,
        per_page=per_page,
    )
    stages_as_of = add_stages(state, store, rows)
    return rows, total, stages_as_of


@api.get("", response_model=Page[CustomerListItem], responses=NOT_FOUND)
def list_customers(
    request: Request,
    store: StoreDep,
    user: Reader,
    q: Search = None,
    country: CountryQ = None,
    rep: RepQ = None,
    min_spent_minor: MinSpent = None,
    stage: StageQ = None,
    segment: SegmentQ = None,
    sort: CustomerSort = "name",
    page: PageNo = 1,
    per_page: PerPage = 50,
) -> Page[CustomerListItem]:
    """Customers, searched and filtered, one page at a time.

    ``q`` of 3 characters or more matches any part of the name, e-mail, company or
    id; shorter, their start. ``stage`` uses the dashboard's stage table (computed
    from the records at most every few minutes; each item's ``stage_as_of`` says
    when); ``segment`` a saved segment's members (kept as long).
    """
    rows, total, _ = _list(
        request, store, q, country, rep, min_spent_minor, stage, segment, sort, page, per_page
    )
    items = [CustomerListItem.model_validate(r) for r in rows]
    return Page(items=items, total=total, page=page, per_page=per_page)


def _view(request: Request, store, customer_id: int) -> dict:
    """The customer 360 view: his records plus his stage, stage history, value and ring."""
    view = records.customer_360(store, customer_id)
    state = request.app.state
    cache = getattr(state, "customer_gaps", None)
    if cache is None:  # one per app, beside the dashboard's figures and with their ttl
        cache = state.customer_gaps = GapCache(state.figures.ttl, state.figures.monotonic)
    cfg = lifecycle_config(state.settings)
    as_of = state.clock().astimezone(UTC).date()
    gaps = cache.get(store, as_of, cfg)
    view.update(customer_figures(store, view["customer"], as_of=as_of, gaps=gaps, cfg=cfg))
    return view


@api.get("/{customer_id}", response_model=Customer360, responses=NOT_FOUND)
def get_customer(
    request: Request, customer_id: PathId, store: StoreDep, user: Reader
) -> Customer360:
    """A customer with totals, the timeline of orders, touchpoints, feedback and cases,
    his life-cycle stage (with the rule) and its monthly history, his stored CLV and
    P(alive), and his relationship ring."""
    return Customer360.model_validate(_view(request, store, customer_id))


@api.post("", response_model=CustomerPublic, status_code=201, responses={**CONFLICT, **NOT_FOUND})
def create_customer(
    body: CustomerCreate, store: StoreDep, user: Worker, now: Now
) -> CustomerPublic:
    """Add a customer (agents and admins)."""
    new_id = records.create_customer(store, body.model_dump(), now=now)
    return CustomerPublic.model_validate(db.record(store, "customers", new_id))


@api.patch("/{customer_id}", response_model=CustomerPublic, responses=NOT_FOUND)
def update_customer(
    customer_id: PathId, body: CustomerUpdate, store: StoreDep, user: Worker, now: Now
) -> CustomerPublic:
    """Change the fields sent (agents and admins)."""
    records.update_customer(store, customer_id, body.model_dump(exclude_unset=True), now=now)
    return CustomerPublic.model_validate(db.record(store, "customers", customer_id))


@pages.get("/customers")
def customers_page(
    request: Request,
    store: StoreDep,
    user: Reader,
    q: Search = None,
    country: Annotated[str | None, Query(max_length=2)] = None,
    rep: RepQ = None,
    min_spent: Annotated[str | None, Query(max_length=20)] = None,
    stage: Annotated[str | None, Query(max_length=20)] = None,
    segment: SegmentQ = None,
    sort: CustomerSort = "name",
    page: PageNo = 1,
) -> Response:
    per_page = 50
    minimum = int(float(min_spent) * 100) if min_spent and _number(min_spent) else None
    stage = stage if stage in STAGES else None
    rows, total, stages_as_of = _list(
        request,
        store,
        q or None,
        country or None,
        rep or None,
        minimum,
        stage,
        segment or None,
        sort,
        page,
        per_page,
    )
    filters = {
        "q": q or "",
        "country": country or "",
        "rep": rep or "",
        "min_spent": min_spent or "",
        "stage": stage or "",
        "segment": segment or "",
        "sort": sort,
    }

    def link(to_page: int) -> str:
        return "/customers?" + urlencode(
            {**{k: v for k, v in filters.items() if v}, "page": to_page}
        )

    return render(
        request,
        "customers.html",
        {
            "nav": "customers",
            "rows": rows,
            "total": total,
            "page": page,
            "pages": max(1, -(-total // per_page)),
            "filters": filters,
            "link": link,
            "stages": STAGES,
            "stages_as_of": stages_as_of,
            "ttl_minutes": round(request.app.state.figures.ttl / 60),
            **filter_choices(request, store),
        },
    )


def filter_choices(request: Request, store) -> dict:
    """Reps, countries and segments for the filter lists, read at most every 10 minutes."""
    state = request.app.state
    cached = getattr(state, "filter_choices", None)
    clock = state.clock()
    if cached is None or (clock - cached[0]).total_seconds() > 600:
        segments = [s["name"] for s in list_segments(store)]
        choices = {"reps": db.owners(store), "countries": db.countries(store), "segments": segments}
        cached = (clock, choices)
        state.filter_choices = cached
    return cached[1]


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


@pages.get("/customers/{customer_id}")
def customer_page(request: Request, customer_id: PathId, store: StoreDep, user: Reader) -> Response:
    view = _view(request, store, customer_id)
    spec = stage_history_spec(view["stage_history"])
    return render(request, "customer.html", {"nav": "customers", "history_spec": spec, **view})
