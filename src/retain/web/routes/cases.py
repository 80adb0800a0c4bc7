"""Cases: the queue and case pages (agents work them), and ``/api/v1/cases``."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from retain.errors import InvalidInputError
from retain.web import cases
from retain.web.deps import Now, Reader, StoreDep, Worker
from retain.web.pages import render
from retain.web.schemas.cases import (
    CaseAssign,
    CaseComment,
    CaseCreate,
    CaseDetail,
    CaseResolve,
    CaseStatus,
    CaseSummary,
)
from retain.web.schemas.common import CONFLICT, ERRORS, NOT_FOUND, PathId

api = APIRouter(prefix="/api/v1/cases", tags=["cases"], responses=ERRORS)
pages = APIRouter(include_in_schema=False)
ACTION_ERRORS = {**NOT_FOUND, **CONFLICT}
StatusQ = Literal["open", "pending", "resolved", "closed"]


def _detail(store, case_id: int) -> CaseDetail:
    from retain.service import get_case

    return CaseDetail.model_validate(get_case(store, case_id))


@api.get("", response_model=list[CaseSummary])
def list_cases(
    store: StoreDep,
    user: Reader,
    now: Now,
    status: Annotated[list[StatusQ] | None, Query()] = None,
    owner: Annotated[str | None, Query(max_length=80)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[CaseSummary]:
    """The queue: by priority, late cases first, then by the next due time."""
    rows = cases.queue(store, now=now, statuses=status, owner=owner, limit=limit)
    return [CaseSummary.model_validate(r) for r in rows]


@api.get("/{case_id}", response_model=CaseDetail, responses=NOT_FOUND)
def get_case(case_id: PathId, store: StoreDep, user: Reader) -> CaseDetail:
    """A case with its messages, internal notes and audit trail."""
    return _detail(store, case_id)


@api.post("", response_model=CaseDetail, status_code=201, responses=NOT_FOUND)
def open_case(body: CaseCreate, store: StoreDep, user: Worker, now: Now) -> CaseDetail:
    """Open a case (owner, priority and SLA due times follow the rules)."""
    from retain.service import open_case as open_

    case_id = open_(store, **body.model_dump(), actor=user.username, now=now)
    return _detail(store, case_id)


def _act(store, case_id: int, name: str, body, user, now) -> CaseDetail:
    cases.act(store, case_id, name, body.model_dump(), actor=user.username, now=now)
    return _detail(store, case_id)


@api.post("/{case_id}/comments", response_model=CaseDetail, responses=ACTION_ERRORS)
def comment(
    case_id: PathId, body: CaseComment, store: StoreDep, user: Worker, now: Now
) -> CaseDetail:
    """Add a message to the customer or an internal note (workflow rules may refuse: 422)."""
    return _act(store, case_id, "comment", body, user, now)


@api.post("/{case_id}/status", response_model=CaseDetail, responses=ACTION_ERRORS)
def set_status(
    case_id: PathId, body: CaseStatus, store: StoreDep, user: Worker, now: Now
) -> CaseDetail:
    """Move the case to open, pending or closed (workflow rules may refuse: 422)."""
    return _act(store, case_id, "status", body, user, now)


@api.post("/{case_id}/resolve", response_model=CaseDetail, responses=ACTION_ERRORS)
def resolve(
    case_id: PathId, body: CaseResolve, store: StoreDep, user: Worker, now: Now
) -> CaseDetail:
    """Resolve the case with a code (workflow rules may refuse: 422)."""
    return _act(store, case_id, "resolve", body, user, now)


@api.post("/{case_id}/assign", response_model=CaseDetail, responses=ACTION_ERRORS)
def assign(
    case_id: PathId, body: CaseAssign, store: StoreDep, user: Worker, now: Now
) -> CaseDetail:
    """Give the case to another agent (an unknown or inactive agent: 422)."""
    return _act(store, case_id, "assign", body, user, now)


@pages.get("/cases")
def queue_page(
    request: Request,
    store: StoreDep,
    user: Reader,
    now: Now,
    mine: bool = False,
    status: Annotated[list[StatusQ] | None, Query()] = None,
) -> Response:
    rows = cases.queue(store, now=now, statuses=status, owner=user.username if mine else None)
    return render(request, "cases.html", {"nav": "cases", "rows": rows, "mine": mine})


@pages.get("/cases/{case_id}")
def case_page(
    request: Request, case_id: PathId, store: StoreDep, user: Reader, now: Now
) -> Response:
    from retain.auth import list_users

    case = _detail(store, case_id).model_dump()
    case["sla"] = cases.sla_state({**case, "breached": ""}, now)
    agents = [u.username for u in list_users(store) if u.role in ("agent", "admin") and u.is_active]
    return render(request, "case.html", {"nav": "cases", "case": case, "agents": agents})


@pages.post("/cases/{case_id}/{action}")
def case_action(
    request: Request,
    case_id: PathId,
    action: Literal["comment", "status", "resolve", "assign", "reopen"],
    store: StoreDep,
    user: Worker,
    now: Now,
    version: Annotated[int, Form()],
    body: Annotated[str | None, Form(max_length=5000)] = None,
    internal: Annotated[bool, Form()] = False,
    status: Annotated[str | None, Form(max_length=20)] = None,
    code: Annotated[str | None, Form(max_length=100)] = None,
    note: Annotated[str | None, Form(max_length=5000)] = None,
    owner: Annotated[str | None, Form(max_length=80)] = None,
) -> Response:
    values = {
        "version": version,
        "body": body,
        "internal": internal,
        "status": status,
        "code": code,
        "note": note or None,
        "owner": owner,
    }
    needed = {"comment": "body", "status": "status", "resolve": "code", "assign": "owner"}
    if action in needed and not values[needed[action]]:
        raise InvalidInputError(f"fill in the {needed[action]} to {action} the case")
    cases.act(store, case_id, action, values, actor=user.username, now=now)
    return RedirectResponse(f"/cases/{case_id}", status_code=303)


@pages.post("/cases")
def new_case(
    request: Request,
    store: StoreDep,
    user: Worker,
    now: Now,
    customer_id: Annotated[int, Form(ge=1)],
    subject: Annotated[str, Form(min_length=1, max_length=500)],
    description: Annotated[str | None, Form(max_length=5000)] = None,
) -> Response:
    from retain.service import open_case as open_

    case_id = open_(
        store,
        customer_id=customer_id,
        subject=subject,
        description=description or None,
        actor=user.username,
        now=now,
    )
    return RedirectResponse(f"/cases/{case_id}", status_code=303)
