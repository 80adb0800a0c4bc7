"""The one error handler: every error becomes RFC 9457 problem details.

A :class:`~retain.errors.RetainError` keeps its status and message; FastAPI's
request validation errors become 422 with an ``errors`` list; Starlette's
HTTP errors (unknown path, wrong method) keep their status. API callers get
``application/problem+json`` with ``type``, ``title``, ``status`` and
``detail``; a browser asking for a page gets the same fields as an HTML
page, or is sent to the login page when it is not logged in.
"""

from __future__ import annotations

import logging
import re
from http import HTTPStatus
from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException

from retain.auth.errors import NotAuthenticatedError, TooManyRequestsError
from retain.errors import ImportRejectedError, RetainError
from retain.web.pages import render

PROBLEM_JSON = "application/problem+json"
log = logging.getLogger("retain.web")


def problem_type(exc: Exception) -> str:
    """The ``type`` URI of an error: ``/problems/<kebab-case name>`` (plain HTTP: about:blank)."""
    if isinstance(exc, RequestValidationError):
        return "/problems/invalid-input"
    if not isinstance(exc, RetainError):
        return "about:blank"
    name = type(exc).__name__.removesuffix("Error")
    return "/problems/" + re.sub(r"(?<!^)(?=[A-Z])", "-", name).lower()


def problem_body(exc: Exception) -> dict[str, Any]:
    """The problem-details members of an error (RFC 9457 section 3)."""
    extra: dict[str, Any] = {}
    if isinstance(exc, RetainError):
        status, detail = exc.status, exc.message
        if isinstance(exc, ImportRejectedError):
            extra["problems"] = [
                {
                    "file": p.file,
                    "row": p.row,
                    "column": p.column,
                    "value": p.value,
                    "reason": p.reason,
                }
                for p in exc.problems
            ]
    elif isinstance(exc, RequestValidationError):
        status = 422
        errors = [
            {"location": [str(x) for x in e.get("loc", ())], "message": e.get("msg", "")}
            for e in exc.errors()
        ]
        detail = "; ".join(f"{'.'.join(e['location'])}: {e['message']}" for e in errors[:10])
        extra["errors"] = errors
    elif isinstance(exc, HTTPException):
        status, detail = exc.status_code, str(exc.detail)
    else:
        status, detail = 500, "internal error; the server log has the details"
    return {
        "type": problem_type(exc),
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        **extra,
    }


def wants_html(request: Request) -> bool:
    """True for a browser page request (not the API, and HTML accepted)."""
    path = request.url.path
    if path.startswith("/api/") or path == "/healthz":
        return False
    return "text/html" in request.headers.get("accept", "")


async def handle_error(request: Request, exc: Exception) -> Response:
    """Turn any error into problem details (or an HTML page / a login redirect)."""
    body = problem_body(exc)
    if body["status"] >= 500:
        log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    headers = {}
    if isinstance(exc, TooManyRequestsError):
        headers["Retry-After"] = str(exc.retry_after)
    if isinstance(exc, NotAuthenticatedError) and not wants_html(request):
        headers["WWW-Authenticate"] = 'Bearer realm="retain"'
    if wants_html(request):
        if isinstance(exc, NotAuthenticatedError) and request.method == "GET":
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)
        return render(
            request, "error.html", {"problem": body}, status_code=body["status"], headers=headers
        )
    return JSONResponse(body, status_code=body["status"], media_type=PROBLEM_JSON, headers=headers)


#: what :func:`handle_error` is registered for
HANDLED = (RetainError, RequestValidationError, HTTPException, Exception)
