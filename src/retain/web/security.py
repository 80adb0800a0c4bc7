"""Session cookies, CSRF tokens and who is calling.

A caller is known by an API token (``Authorization: Bearer rtk_...``) or by
the session cookie. Requests that change something and carry cookies must
also carry a CSRF token: the form field ``csrf_token`` or the header
``X-CSRF-Token``. The token is an HMAC of the session (or, before login, of
a random pre-session cookie) under the app's secret, so it cannot be
guessed by another site and is useless once the session ends.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from fastapi import Request
from fastapi.responses import Response

from retain.auth import UserInfo, session_user, user_for_token
from retain.errors import PermissionDeniedError

SESSION_COOKIE = "retain_session"
PRE_COOKIE = "retain_pre"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
#: paths whose forms are public and need no CSRF token (rate limited instead)
CSRF_EXEMPT_PREFIXES = ("/r/", "/outreach/unsubscribe/")


def csrf_for(secret: str, seed: str) -> str:
    """The CSRF token that goes with a session (or pre-session) cookie value."""
    return hmac.new(secret.encode(), b"csrf:" + seed.encode(), hashlib.sha256).hexdigest()


def csrf_seed(request: Request) -> str | None:
    """The cookie the CSRF token is tied to: the session, else the pre-session cookie."""
    return request.cookies.get(SESSION_COOKIE) or request.cookies.get(PRE_COOKIE)


def page_csrf(request: Request, response_cookies: dict[str, str]) -> str:
    """The CSRF token to put in this page's forms (making a pre-session cookie if needed)."""
    seed = csrf_seed(request)
    if seed is None:
        seed = getattr(request.state, "pre_seed", None) or secrets.token_urlsafe(24)
        request.state.pre_seed = seed
        response_cookies[PRE_COOKIE] = seed
    return csrf_for(request.app.state.secret, seed)


def is_secure(request: Request) -> bool:
    """Whether cookies get the Secure flag (see ``[web] cookie_secure``)."""
    mode = request.app.state.web.cookie_secure
    return mode == "always" or (mode == "auto" and request.url.scheme == "https")


def set_cookie(request: Request, response: Response, name: str, value: str, max_age: int) -> None:
    """Set an HttpOnly, SameSite=Lax cookie (Secure over HTTPS)."""
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        httponly=True,
        samesite="lax",
        secure=is_secure(request),
        path="/",
    )


def bearer(request: Request) -> str | None:
    """The token of an ``Authorization: Bearer`` header, if any."""
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def identify(request: Request) -> UserInfo | None:
    """Who is calling: by API token (a bad one is a 401), else by session cookie, else None."""
    if hasattr(request.state, "user"):
        return request.state.user
    app = request.app.state
    now = app.clock()
    token = bearer(request)
    user: UserInfo | None
    if token is not None:
        user = user_for_token(app.store, token, now=now)
    else:
        cookie = request.cookies.get(SESSION_COOKIE)
        user = (
            session_user(
                app.store,
                cookie,
                now=now,
                lifetime=app.web.session_lifetime,
                idle=app.web.idle_timeout,
            )
            if cookie
            else None
        )
    request.state.user = user
    request.state.log_user = user.username if user else None
    return user


async def csrf_protect(request: Request) -> None:
    """Refuse a state-changing request that rides on cookies without the right CSRF token."""
    if request.method in SAFE_METHODS or bearer(request) is not None:
        return
    if request.url.path.startswith(CSRF_EXEMPT_PREFIXES):
        return
    seed = csrf_seed(request)
    if seed is None:
        if request.url.path != "/login":
            return  # no cookie, no ambient credentials: authentication decides
        raise PermissionDeniedError("the login form has expired; reload the page and try again")
    given = request.headers.get(CSRF_HEADER)
    if given is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        given = value if isinstance(value, str) else None
    expected = csrf_for(request.app.state.secret, seed)
    if not given or not hmac.compare_digest(given, expected):
        raise PermissionDeniedError(
            "missing or wrong CSRF token; reload the page and submit the form again"
        )
