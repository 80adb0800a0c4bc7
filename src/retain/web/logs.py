"""Structured request logs: one JSON line per request, without secrets.

Logged: time, method, the route's path template (``/s/{token}``, never the
token itself), status, duration in milliseconds, username, client address
and a request id. Each response carries ``Server-Timing: app;dur=<ms>`` (time
to the response start) and ``X-Request-Id``. Never logged: query strings, headers, cookies, bodies.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("retain.web.requests")


class RequestLogMiddleware:
    """ASGI middleware that writes one log record per HTTP request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        state: dict[str, Any] = scope.setdefault("state", {})
        request_id = uuid.uuid4().hex[:16]
        status = 500

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                took = (time.perf_counter() - started) * 1000
                message["headers"] = [
                    *message.get("headers", []),
                    (b"x-request-id", request_id.encode()),
                    (b"server-timing", f"app;dur={took:.1f}".encode()),
                ]
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            route = scope.get("route")
            path = getattr(route, "path", None) or _unrouted(scope.get("path", ""))
            client = scope.get("client")
            record = {
                "at": datetime.now(UTC).isoformat(timespec="milliseconds"),
                "request_id": request_id,
                "method": scope.get("method"),
                "route": path,
                "status": status,
                "ms": round((time.perf_counter() - started) * 1000, 1),
                "user": state.get("log_user"),
                "client": client[0] if client else None,
            }
            log.info(json.dumps(record), extra={"request": record})


def _unrouted(path: str) -> str:
    """A path that matched no route, cut to its first segment (it may hold anything)."""
    first = path.strip("/").split("/", 1)[0]
    return f"/{first}/..." if "/" in path.strip("/") else f"/{first}"


class JsonLineFormatter(logging.Formatter):
    """Log records as their message when it is JSON already, else as a JSON object."""

    def format(self, record: logging.LogRecord) -> str:
        if hasattr(record, "request"):
            return record.getMessage()
        body = {
            "at": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            body["error"] = self.formatException(record.exc_info)
        return json.dumps(body)
