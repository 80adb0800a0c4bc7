"""Logging in and out (pages) and ``/api/v1/me``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from retain.auth import (
    NotAuthenticatedError,
    TooManyRequestsError,
    authenticate,
    end_session,
    start_session,
)
from retain.auth.tokens import purge_old_sessions
from retain.web.deps import MaybeUser, Now, Reader, StoreDep
from retain.web.pages import render
from retain.web.schemas.auth import UserPublic
from retain.web.schemas.common import ERRORS
from retain.web.security import PRE_COOKIE, SESSION_COOKIE, set_cookie

router = APIRouter()


def safe_next(target: str | None) -> str:
    """Only same-site paths are followed after login (no open redirect)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


@router.get("/login", include_in_schema=False)
def login_page(request: Request, user: MaybeUser, next: str | None = None) -> Response:
    if user is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return render(request, "login.html", {"next": safe_next(next)})


@router.post("/login", include_in_schema=False)
def login(
    request: Request,
    store: StoreDep,
    now: Now,
    username: Annotated[str, Form(max_length=200)],
    password: Annotated[str, Form(max_length=1000)],
    next: Annotated[str, Form()] = "/",
) -> Response:
    state = request.app.state
    address = request.client.host if request.client else "unknown"
    user_key = username.strip().lower()
    try:
        state.login_by_address.check(address, "login attempts from this address")
        state.login_by_user.check(user_key, "failed logins for this user")
        user = authenticate(store, username, password)
    except (NotAuthenticatedError, TooManyRequestsError) as exc:
        if isinstance(exc, NotAuthenticatedError):
            state.login_by_address.hit(address)
            state.login_by_user.hit(user_key)
        headers = (
            {"Retry-After": str(exc.retry_after)} if isinstance(exc, TooManyRequestsError) else None
        )
        return render(
            request,
            "login.html",
            {"next": safe_next(next), "error": exc.message, "username": username},
            status_code=exc.status,
            headers=headers,
        )
    state.login_by_user.reset(user_key)
    purge_old_sessions(store, now=now, lifetime=state.web.session_lifetime)
    agent = request.headers.get("user-agent", "")[:120]
    token = start_session(store, user, now=now, label=agent)
    response = RedirectResponse(safe_next(next), status_code=303)
    max_age = int(state.web.session_lifetime.total_seconds())
    set_cookie(request, response, SESSION_COOKIE, token, max_age=max_age)
    response.delete_cookie(PRE_COOKIE, path="/")
    return response


@router.post("/logout", include_in_schema=False)
def logout(request: Request, store: StoreDep, now: Now) -> Response:
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        end_session(store, cookie, now=now)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/api/v1/me", response_model=UserPublic, tags=["users"], responses=ERRORS)
def me(user: Reader) -> UserPublic:
    """The caller."""
    return UserPublic.model_validate(user)
