"""The dashboard page and ``/api/v1/dashboard``, the JSON its charts are drawn from."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from retain.web.deps import Now, Reader, StoreDep
from retain.web.pages import render
from retain.web.plan import outreach_card
from retain.web.schemas.common import ERRORS
from retain.web.schemas.dashboard import Dashboard

router = APIRouter()


@router.get("/", include_in_schema=False)
def dashboard(request: Request, store: StoreDep, user: Reader, now: Now) -> Response:
    context = {
        "nav": "dashboard",
        "outreach": outreach_card(store, now),
        "currency": request.app.state.settings.currency,
    }
    return render(request, "dashboard.html", context)


@router.get("/api/v1/dashboard", response_model=Dashboard, tags=["analytics"], responses=ERRORS)
def figures(request: Request, store: StoreDep, user: Reader, now: Now) -> Dashboard:
    """Life-cycle stages and flows, returning rate, cohorts, revenue at risk, NPS, cases.

    Computed from the records and kept for a few minutes (``[web] figures_ttl_seconds``).
    """
    values = request.app.state.figures.get(store, request.app.state.settings, now)
    return Dashboard.model_validate({k: v for k, v in values.items() if not k.startswith("_")})
