"""The web application: ``create_app(store, settings)`` builds it, ``retain serve`` runs it."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import UTC, datetime

from fastapi import Depends, FastAPI
from fastapi.staticfiles import StaticFiles
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from retain import __version__
from retain.config import Settings
from retain.store import Store
from retain.store.users import secret_key
from retain.web.dashboard import FigureCache
from retain.web.imports import Uploads
from retain.web.logs import RequestLogMiddleware
from retain.web.pages import STATIC_DIR, make_templates
from retain.web.problems import HANDLED, handle_error
from retain.web.ratelimit import RateLimiter
from retain.web.routes import ROUTERS
from retain.web.security import csrf_protect
from retain.web.settings import WebSettings, web_settings

API_DESCRIPTION = """The REST API of Retain. Authenticate with an API token
(`retain tokens create USER NAME`) sent as `Authorization: Bearer rtk_...`.
Lists are paginated with `page` and `per_page` and sorted with `sort`
(a field name, `-field` for descending). Errors are RFC 9457 problem details
(`application/problem+json`)."""


def _utcnow() -> datetime:
    return datetime.now(UTC)


def create_app(
    store: Store,
    settings: Settings,
    *,
    web: WebSettings | None = None,
    clock: Callable[[], datetime] = _utcnow,
    monotonic: Callable[[], float] | None = None,
) -> FastAPI:
    """The FastAPI app serving ``store`` (pages, REST API under /api/v1, /healthz).

    ``web`` overrides the ``[web]`` section of ``settings``; ``clock`` gives
    the current UTC time and ``monotonic`` the seconds used by the rate
    limiters (tests pass their own).
    """
    web = web or web_settings(settings)
    app = FastAPI(
        title="Retain",
        version=__version__,
        description=API_DESCRIPTION,
        dependencies=[Depends(csrf_protect)],
        docs_url=None,  # Swagger UI loads its scripts from a CDN: not offered offline
        redoc_url=None,
        openapi_url="/api/v1/openapi.json",
    )
    if monotonic is None:
        import time

        monotonic = time.monotonic
    app.state.store = store
    app.state.settings = settings
    app.state.web = web
    app.state.clock = clock
    app.state.secret = web.secret_key or secret_key(store, clock())
    #: survey links are signed by the CLI with RETAIN_SECRET_KEY (retain.voice.tokens)
    app.state.survey_secret = os.environ.get("RETAIN_SECRET_KEY") or app.state.secret
    app.state.templates = make_templates(settings.tz)
    app.state.login_by_address = RateLimiter(
        web.login_attempts * 4, web.login_window_seconds, monotonic
    )
    app.state.login_by_user = RateLimiter(web.login_attempts, web.login_window_seconds, monotonic)
    app.state.uploads = Uploads()
    app.state.figures = FigureCache(web.figures_ttl_seconds, monotonic)
    app.state.public_limiter = RateLimiter(web.public_requests_per_minute, 60, monotonic)
    for exc_class in HANDLED:
        app.add_exception_handler(exc_class, handle_error)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    for router in ROUTERS:
        app.include_router(router)
    app.add_middleware(RequestLogMiddleware)
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    trusted = [h.strip() for h in web.trusted_proxies.split(",") if h.strip()]
    app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=trusted)
    return app


def _openapi(app: FastAPI) -> dict:
    """FastAPI's description, with error responses typed application/problem+json."""
    if app.openapi_schema is None:
        from fastapi.openapi.utils import get_openapi

        schema = get_openapi(
            title=app.title,
            version=app.version,
            description=app.description,
            routes=app.routes,
        )
        for path in schema.get("paths", {}).values():
            for operation in path.values():
                for status, response in operation.get("responses", {}).items():
                    content = response.get("content", {})
                    if status[0] in "45" and "application/json" in content:
                        content["application/problem+json"] = content.pop("application/json")
        app.openapi_schema = schema
    return app.openapi_schema
