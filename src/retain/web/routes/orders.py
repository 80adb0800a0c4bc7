"""``/api/v1/orders``: purchases, filtered by customer, time, status and channel."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import AwareDatetime

from retain.store import customers as db
from retain.web import records
from retain.web.deps import Admin, Now, Reader, StoreDep
from retain.web.routes.customers import PageNo, PerPage
from retain.web.schemas.common import CONFLICT, ERRORS, MAX_ID, NOT_FOUND, Page, PathId
from retain.web.schemas.records import OrderCreate, OrderPublic, OrderStatus, OrderUpdate

router = APIRouter(prefix="/api/v1/orders", tags=["orders"], responses=ERRORS)

OrderSort = Literal["ordered_at", "-ordered_at", "amount_minor", "-amount_minor", "id", "-id"]
Since = Annotated[AwareDatetime | None, Query(description="from this time (inclusive)")]
Before = Annotated[AwareDatetime | None, Query(description="before this time (exclusive)")]
CustomerQ = Annotated[int | None, Query(ge=1, le=MAX_ID, description="only this customer's")]


@router.get("", response_model=Page[OrderPublic])
def list_orders(
    store: StoreDep,
    user: Reader,
    customer_id: CustomerQ = None,
    status: OrderStatus | None = None,
    channel: Annotated[str | None, Query(max_length=100)] = None,
    product_category: Annotated[str | None, Query(max_length=200)] = None,
    since: Since = None,
    before: Before = None,
    sort: OrderSort = "-ordered_at",
    page: PageNo = 1,
    per_page: PerPage = 50,
) -> Page[OrderPublic]:
    """Orders, newest first unless sorted otherwise."""
    rows, total = db.record_page(
        store,
        "orders",
        equals={
            "customer_id": customer_id,
            "status": status,
            "channel": channel,
            "product_category": product_category,
        },
        ranges={"ordered_at": (since, before)},
        sort=sort,
        page=page,
        per_page=per_page,
    )
    items = [OrderPublic.model_validate(r) for r in rows]
    return Page(items=items, total=total, page=page, per_page=per_page)


@router.get("/{order_id}", response_model=OrderPublic, responses=NOT_FOUND)
def get_order(order_id: PathId, store: StoreDep, user: Reader) -> OrderPublic:
    """One order."""
    return OrderPublic.model_validate(db.record(store, "orders", order_id))


@router.post("", response_model=OrderPublic, status_code=201, responses={**CONFLICT, **NOT_FOUND})
def create_order(body: OrderCreate, store: StoreDep, user: Admin, now: Now) -> OrderPublic:
    """Add an order of an existing customer (admins)."""
    new_id = records.create_order(store, body.model_dump(), now=now)
    return OrderPublic.model_validate(db.record(store, "orders", new_id))


@router.patch("/{order_id}", response_model=OrderPublic, responses=NOT_FOUND)
def update_order(
    order_id: PathId, body: OrderUpdate, store: StoreDep, user: Admin, now: Now
) -> OrderPublic:
    """Change an order, e.g. record a refund (admins)."""
    records.update_order(store, order_id, body.model_dump(exclude_unset=True), now=now)
    return OrderPublic.model_validate(db.record(store, "orders", order_id))
