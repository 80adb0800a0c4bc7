"""Request logs: one JSON record per request, with the route template and no secrets."""

from __future__ import annotations

import json
import logging

from .conftest import PASSWORD, login


def test_request_log_is_structured_and_free_of_secrets(sqlite_web, caplog):
    caplog.set_level(logging.INFO, logger="retain.web.requests")
    c = sqlite_web.client()
    login(c, "admin")
    token = sqlite_web.tokens["viewer"]
    sqlite_web.api("viewer").get("/api/v1/me?secret=querytext")
    c.get("/api/v1/tokens/12345/nothing")
    records = [json.loads(r.getMessage()) for r in caplog.records if r.name.endswith("requests")]
    assert {"at", "request_id", "method", "route", "status", "ms", "user", "client"} <= set(
        records[0]
    )
    me = next(r for r in records if r["route"] == "/api/v1/me")
    assert me["user"] == "viewer" and me["status"] == 200 and me["method"] == "GET"
    post = next(r for r in records if r["route"] == "/login" and r["method"] == "POST")
    assert post["status"] == 303
    assert any(r["route"] == "/api/..." and r["status"] == 404 for r in records)
    text = caplog.text
    for secret in (PASSWORD, token, "querytext", c.cookies.get("retain_session"), "12345"):
        assert secret not in text
