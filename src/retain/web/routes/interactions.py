"""``/api/v1/interactions``: touchpoints (calls, e-mails, visits), logged by agents."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from retain.store import customers as db
from retain.web import records
from retain.web.deps import Now, Reader, StoreDep, Worker
from retain.web.routes.customers import PageNo, PerPage
from retain.web.routes.orders import Before, CustomerQ, Since
from retain.web.schemas.common import CONFLICT, ERRORS, NOT_FOUND, Page, PathId
from retain.web.schemas.records import InteractionCreate, InteractionPublic, InteractionUpdate

router = APIRouter(prefix="/api/v1/interactions", tags=["interactions"], responses=ERRORS)

InteractionSort = Literal["occurred_at", "-occurred_at", "id", "-id"]


@router.get("", response_model=Page[InteractionPublic])
def list_interactions(
    store: StoreDep,
    user: Reader,
    customer_id: CustomerQ = None,
    channel: Annotated[str | None, Query(max_length=50)] = None,
    direction: Literal["inbound", "outbound"] | None = None,
    since: Since = None,
    before: Before = None,
    sort: InteractionSort = "-occurred_at",
    page: PageNo = 1,
    per_page: PerPage = 50,
) -> Page[InteractionPublic]:
    """Touchpoints, newest first unless sorted otherwise."""
    rows, total = db.record_page(
        store,
        "interactions",
        equals={"customer_id": customer_id, "channel": channel, "direction": direction},
        ranges={"occurred_at": (since, before)},
        sort=sort,
        page=page,
        per_page=per_page,
    )
    items = [InteractionPublic.model_validate(r) for r in rows]
    return Page(items=items, total=total, page=page, per_page=per_page)


@router.get("/{interaction_id}", response_model=InteractionPublic, responses=NOT_FOUND)
def get_interaction(interaction_id: PathId, store: StoreDep, user: Reader) -> InteractionPublic:
    """One touchpoint."""
    return InteractionPublic.model_validate(db.record(store, "interactions", interaction_id))


@router.post(
    "", response_model=InteractionPublic, status_code=201, responses={**CONFLICT, **NOT_FOUND}
)
def create_interaction(
    body: InteractionCreate, store: StoreDep, user: Worker, now: Now
) -> InteractionPublic:
    """Log a touchpoint with a customer (agents and admins)."""
    new_id = records.create_interaction(store, body.model_dump(), now=now, user_id=user.id)
    return InteractionPublic.model_validate(db.record(store, "interactions", new_id))


@router.patch("/{interaction_id}", response_model=InteractionPublic, responses=NOT_FOUND)
def update_interaction(
    interaction_id: PathId, body: InteractionUpdate, store: StoreDep, user: Worker, now: Now
) -> InteractionPublic:
    """Change a touchpoint (agents and admins)."""
    records.update_interaction(store, interaction_id, body.model_dump(exclude_unset=True), now=now)
    return InteractionPublic.model_validate(db.record(store, "interactions", interaction_id))
