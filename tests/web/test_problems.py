"""Every error is RFC 9457 problem details of one shape (pinned here)."""

from __future__ import annotations

import pytest
from fastapi import APIRouter

from retain.errors import (
    ConflictError,
    ImportRejectedError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
    Problem,
    StoreError,
)

SHAPE = {"type", "title", "status", "detail"}


@pytest.mark.parametrize(
    ("exc", "status", "type_"),
    [
        (NotFoundError("no customer 7"), 404, "/problems/not-found"),
        (ConflictError("changed"), 409, "/problems/conflict"),
        (PermissionDeniedError("no"), 403, "/problems/permission-denied"),
        (InvalidInputError("bad"), 422, "/problems/invalid-input"),
        (StoreError("down"), 500, "/problems/store"),
    ],
)
def test_retain_errors_become_problem_details(sqlite_web, exc, status, type_):
    router = APIRouter()

    @router.get("/api/v1/boom")
    def boom():
        raise exc

    sqlite_web.app.include_router(router)
    r = sqlite_web.client().get("/api/v1/boom")
    assert r.status_code == status
    assert r.headers["content-type"] == "application/problem+json"
    body = r.json()
    assert set(body) == SHAPE
    assert body == {
        "type": type_,
        "title": r.reason_phrase,
        "status": status,
        "detail": exc.message,
    }


def test_import_problems_are_listed(sqlite_web):
    router = APIRouter()

    @router.get("/api/v1/boom")
    def boom():
        raise ImportRejectedError([Problem("a.csv", 3, "amount", "x", "not a number")])

    sqlite_web.app.include_router(router)
    body = sqlite_web.client().get("/api/v1/boom").json()
    assert body["status"] == 422 and body["type"] == "/problems/import-rejected"
    assert body["problems"] == [
        {"file": "a.csv", "row": 3, "column": "amount", "value": "x", "reason": "not a number"}
    ]


def test_unknown_route_validation_and_auth_errors_share_the_shape(sqlite_web):
    c = sqlite_web.client()
    for r, status in (
        (c.get("/api/v1/no-such-thing"), 404),
        (c.get("/api/v1/me"), 401),
        (sqlite_web.api("viewer").get("/api/v1/users"), 403),
        (sqlite_web.api("viewer").post("/api/v1/tokens", json={"nom": 1}), 422),
        (c.get("/api/v1/me", headers={"authorization": "Bearer rtk_forged"}), 401),
    ):
        assert r.status_code == status, r.text
        assert r.headers["content-type"] == "application/problem+json"
        assert set(r.json()) >= SHAPE and r.json()["status"] == status
    body = sqlite_web.api("viewer").post("/api/v1/tokens", json={"nom": 1}).json()
    assert {"body", "name"} <= set(body["errors"][0]["location"])


def test_unexpected_errors_hide_their_details(sqlite_web):
    router = APIRouter()

    @router.get("/api/v1/boom")
    def boom():
        raise RuntimeError("secret internals")

    sqlite_web.app.include_router(router)
    r = sqlite_web.client(raise_server_exceptions=False).get("/api/v1/boom")
    assert r.status_code == 500
    assert r.json()["detail"] == "internal error; the server log has the details"


def test_pages_show_errors_as_html(browser_clients):
    r = browser_clients["viewer"].get("/no-such-page", headers={"accept": "text/html"})
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")
    assert "404 Not Found" in r.text
