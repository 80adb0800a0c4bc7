"""This week's outreach: the ``/plan`` page and ``/api/v1/actions``.

Both read the actions the plan saved for the current cycle; building the
plan is an explicit step (``POST /plan/refresh`` or ``POST
/api/v1/actions/refresh``, agents and admins), see :mod:`retain.web.plan`.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Annotated, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from retain.auth import Permission, can
from retain.errors import InvalidInputError
from retain.outreach import cycle_of
from retain.web import plan
from retain.web.deps import Now, Reader, StoreDep, Worker
from retain.web.pages import render
from retain.web.schemas.actions import (
    ActionChange,
    ActionPublic,
    ActionStatus,
    RefreshResult,
    Rule,
)
from retain.web.schemas.common import ERRORS, NOT_FOUND, Page, PathId

api = APIRouter(prefix="/api/v1/actions", tags=["outreach"], responses=ERRORS)
pages = APIRouter(include_in_schema=False)

OwnerQ = Annotated[
    str | None, Query(max_length=80, description="the customer's rep or the assignee (username)")
]
RuleQ = Annotated[Rule | None, Query(description="only this rule's actions")]
PageNo = Annotated[int, Query(ge=1, le=1_000_000, description="page number, from 1")]
PerPage = Annotated[int, Query(ge=1, le=500, description="rows per page")]
#: the page's status filter: to do (open or assigned), one status, or everything
StatusView = Literal["todo", "open", "assigned", "done", "snoozed", "all"]
#: rows the page shows at most (the API pages through all of them)
PAGE_ROWS = 200


@api.get("", response_model=Page[ActionPublic])
def list_actions(
    store: StoreDep,
    user: Reader,
    now: Now,
    owner: OwnerQ = None,
    rule: RuleQ = None,
    status: Annotated[list[ActionStatus] | None, Query()] = None,
    page: PageNo = 1,
    per_page: PerPage = 50,
) -> Page[ActionPublic]:
    """This week's actions (the current ISO-week cycle), best first, as the plan saved them."""
    rows, total = plan.cycle_actions(
        store,
        now,
        owner=owner,
        rule=rule,
        statuses=status,
        offset=(page - 1) * per_page,
        limit=per_page,
    )
    items = [ActionPublic.model_validate(r) for r in rows]
    return Page[ActionPublic](items=items, total=total, page=page, per_page=per_page)


@api.post("/refresh", response_model=RefreshResult)
def refresh_plan(request: Request, store: StoreDep, user: Worker, now: Now) -> RefreshResult:
    """Build this week's plan now: new customers picked get an action, existing ones stay."""
    to_do = plan.refresh(store, request.app.state.settings, now)
    return RefreshResult(cycle=cycle_of(now), to_do=to_do)


@api.get("/{action_id}", response_model=ActionPublic, responses=NOT_FOUND)
def get_action(action_id: PathId, store: StoreDep, user: Reader) -> ActionPublic:
    """One action, of any cycle."""
    return ActionPublic.model_validate(plan.one(store, action_id))


@api.patch("/{action_id}", response_model=ActionPublic, responses=NOT_FOUND)
def change_action(
    action_id: PathId, body: ActionChange, store: StoreDep, user: Worker, now: Now
) -> ActionPublic:
    """Assign the action, mark it done with its outcome (recorded as a touchpoint), or snooze it.

    A done action cannot be done again, and a snooze must end later than now (422);
    an unknown user to assign to is a 404.
    """
    row = plan.work(store, action_id, body.model_dump(), actor=user.username, now=now)
    return ActionPublic.model_validate(row)


def _statuses(view: StatusView) -> tuple[str, ...] | None:
    if view == "all":
        return None
    return plan.TO_DO if view == "todo" else (view,)


@pages.get("/plan")
def plan_page(
    request: Request,
    store: StoreDep,
    user: Reader,
    now: Now,
    owner: OwnerQ = None,
    rule: Annotated[Rule | Literal[""] | None, Query()] = None,  # "": the form's "all rules"
    status: StatusView = "todo",
) -> Response:
    from retain.auth import list_users

    acting = can(user.role, Permission.work)
    if owner is None and user.role == "agent":
        owner = user.username  # agents see their own first; "everyone" clears it
    owner, rule = owner or None, rule or None
    rows, total = plan.cycle_actions(
        store, now, owner=owner, rule=rule, statuses=_statuses(status), limit=PAGE_ROWS
    )
    counts = plan.status_counts(store, now)
    staff = [u.username for u in list_users(store) if u.role in ("agent", "admin") and u.is_active]
    query = urlencode({k: v for k, v in (("rule", rule), ("status", status)) if v})
    return render(
        request,
        "plan.html",
        {
            "nav": "plan",
            "rows": rows,
            "total": total,
            "cycle": cycle_of(now),
            "built": any(counts.values()),
            "counts": counts,
            "owner": owner,
            "rule": rule,
            "status": status,
            "rules": Rule.__args__,
            "staff": staff,
            "acting": acting,
            "everyone_url": "/plan?" + urlencode({"owner": "", **({"rule": rule} if rule else {})}),
            "query": query,
            "today": now.astimezone(request.app.state.settings.tz).date(),
            "currency": request.app.state.settings.currency,
        },
    )


@pages.post("/plan/refresh")
def refresh_page(request: Request, store: StoreDep, user: Worker, now: Now) -> Response:
    plan.refresh(store, request.app.state.settings, now)
    return RedirectResponse("/plan", status_code=303)


@pages.post("/plan/{action_id}/{change}")
def action_form(
    request: Request,
    action_id: PathId,
    change: Literal["assign", "done", "snooze"],
    store: StoreDep,
    user: Worker,
    now: Now,
    to: Annotated[str | None, Form(max_length=80)] = None,
    outcome: Annotated[str | None, Form(max_length=5000)] = None,
    until: Annotated[date | None, Form()] = None,
    back: Annotated[str | None, Form(max_length=500)] = None,
) -> Response:
    values: dict[str, object] = {"action": change}
    if change == "assign":
        if not to:
            raise InvalidInputError("choose whom to give the action to")
        values["to"] = to
    elif change == "done":
        if not outcome or not outcome.strip():
            raise InvalidInputError("say what came of the contact before marking it done")
        values["outcome"] = outcome.strip()
    else:
        if until is None:
            raise InvalidInputError("choose the date to snooze the action until")
        tz = request.app.state.settings.tz
        values["until"] = datetime.combine(until, time(0, 0), tzinfo=tz)
    plan.work(store, action_id, values, actor=user.username, now=now)
    target = back if back and back.startswith("/plan") and "//" not in back else "/plan"
    return RedirectResponse(target, status_code=303)
