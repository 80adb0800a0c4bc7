"""Rendering server-side pages: templates, filters, and what every page needs."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from importlib.resources import files
from typing import Any

from babel.numbers import format_currency, get_currency_precision
from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from retain.auth import Permission, can
from retain.errors import RetainError
from retain.web.security import PRE_COOKIE, page_csrf, set_cookie

TEMPLATES_DIR = str(files("retain.web") / "templates")
STATIC_DIR = str(files("retain.web") / "static")


def money(amount_minor: int | None, currency: str | None) -> str:
    """Minor units as a readable amount: ``money(123456, 'EUR')`` -> ``€1,234.56``."""
    if amount_minor is None:
        return ""
    code = currency or "USD"
    value = Decimal(amount_minor).scaleb(-get_currency_precision(code))
    return format_currency(value, code, locale="en")


def make_templates(timezone: Any) -> Jinja2Templates:
    """The Jinja2 environment with Retain's filters (times shown in the business zone)."""
    templates = Jinja2Templates(directory=TEMPLATES_DIR)

    def when(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
        return "" if value is None else value.astimezone(timezone).strftime(fmt)

    templates.env.filters["money"] = money
    templates.env.filters["when"] = when
    templates.env.globals["can"] = can
    templates.env.globals["Permission"] = Permission
    return templates


def current_user_quietly(request: Request) -> Any:
    """The logged-in user for the page header, or None (never raises)."""
    from retain.web.security import identify

    try:
        return identify(request)
    except RetainError:
        return None


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    """Render a page with the user, a CSRF token for its forms and the page's context."""
    cookies: dict[str, str] = {}
    csrf = page_csrf(request, cookies)
    ctx = {"user": current_user_quietly(request), "csrf_token": csrf, **(context or {})}
    response = request.app.state.templates.TemplateResponse(
        request, template, ctx, status_code=status_code, headers=headers
    )
    if PRE_COOKIE in cookies:
        set_cookie(request, response, PRE_COOKIE, cookies[PRE_COOKIE], max_age=86400)
    return response
