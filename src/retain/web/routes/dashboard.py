"""The dashboard page and the JSON its charts are drawn from."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from retain.web.deps import Reader
from retain.web.pages import render

router = APIRouter()


@router.get("/", include_in_schema=False)
def dashboard(request: Request, user: Reader) -> Response:
    return render(request, "dashboard.html", {})
