"""``/api/v1/feedback``: survey answers and reviews."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from retain.store import customers as db
from retain.web import records
from retain.web.deps import Admin, Now, Reader, StoreDep, Worker
from retain.web.routes.customers import PageNo, PerPage
from retain.web.routes.orders import Before, CustomerQ, Since
from retain.web.schemas.common import CONFLICT, ERRORS, NOT_FOUND, Page, PathId, QueryId
from retain.web.schemas.records import FeedbackCreate, FeedbackPublic, FeedbackUpdate

router = APIRouter(prefix="/api/v1/feedback", tags=["feedback"], responses=ERRORS)

FeedbackSort = Literal["responded_at", "-responded_at", "nps_score", "-nps_score", "id", "-id"]


@router.get("", response_model=Page[FeedbackPublic])
def list_feedback(
    store: StoreDep,
    user: Reader,
    customer_id: CustomerQ = None,
    survey_id: QueryId = None,
    kind: Literal["nps", "csat", "review"] | None = None,
    source: Annotated[str | None, Query(max_length=50)] = None,
    since: Since = None,
    before: Before = None,
    sort: FeedbackSort = "-responded_at",
    page: PageNo = 1,
    per_page: PerPage = 50,
) -> Page[FeedbackPublic]:
    """Survey answers and reviews, newest first unless sorted otherwise."""
    rows, total = db.record_page(
        store,
        "feedback",
        equals={"customer_id": customer_id, "survey_id": survey_id, "kind": kind, "source": source},
        ranges={"responded_at": (since, before)},
        sort=sort,
        page=page,
        per_page=per_page,
    )
    items = [FeedbackPublic.model_validate(r) for r in rows]
    return Page(items=items, total=total, page=page, per_page=per_page)


@router.get("/{feedback_id}", response_model=FeedbackPublic, responses=NOT_FOUND)
def get_feedback(feedback_id: PathId, store: StoreDep, user: Reader) -> FeedbackPublic:
    """One answer or review."""
    return FeedbackPublic.model_validate(db.record(store, "feedback", feedback_id))


@router.post(
    "", response_model=FeedbackPublic, status_code=201, responses={**CONFLICT, **NOT_FOUND}
)
def create_feedback(body: FeedbackCreate, store: StoreDep, user: Admin, now: Now) -> FeedbackPublic:
    """Add an answer or a review from another system (admins)."""
    new_id = records.create_feedback(store, body.model_dump(), now=now)
    return FeedbackPublic.model_validate(db.record(store, "feedback", new_id))


@router.patch("/{feedback_id}", response_model=FeedbackPublic, responses=NOT_FOUND)
def update_feedback(
    feedback_id: PathId, body: FeedbackUpdate, store: StoreDep, user: Worker, now: Now
) -> FeedbackPublic:
    """Change the topic or text of feedback, e.g. tag a comment's category (agents, admins)."""
    records.update_feedback(store, feedback_id, body.model_dump(exclude_unset=True), now=now)
    return FeedbackPublic.model_validate(db.record(store, "feedback", feedback_id))
