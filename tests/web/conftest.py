"""Fixtures of the web tests: an app on a fresh store, users of each role, logged-in clients.

Starlette's TestClient warns on import while it runs on ``httpx`` rather than
``httpx2``; that warning is about the test tool, not about Retain, so it is
silenced for this one import only.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest

from retain.auth import create_token, hash_password
from retain.config import Settings
from retain.store import Store
from retain.store.users import insert_user
from retain.web import WebSettings, create_app

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

PASSWORD = "correct horse battery staple"
ROLES = ("admin", "agent", "viewer")
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
#: Argon2 takes about half a second here: hash the shared test password once
PASSWORD_HASH = hash_password(PASSWORD)


@dataclass
class Clock:
    """A clock the test moves by hand: ``now`` for UTC times, ``seconds`` for limiters."""

    now: datetime = START
    seconds: float = 1000.0

    def advance(self, delta: timedelta) -> None:
        self.now += delta
        self.seconds += delta.total_seconds()


@dataclass
class Web:
    """An app, its store and clock, and an API token per role."""

    app: object
    store: Store
    clock: Clock
    tokens: dict[str, str] = field(default_factory=dict)

    def client(self, **kwargs) -> TestClient:
        return TestClient(self.app, **kwargs)

    def api(self, role: str) -> TestClient:
        """A client that sends the API token of ``role``."""
        return TestClient(self.app, headers={"Authorization": f"Bearer {self.tokens[role]}"})


def make_web(store: Store, web: WebSettings | None = None) -> Web:
    clock = Clock()
    app = create_app(
        store,
        Settings(),
        web=web or WebSettings(secret_key="test-secret-of-the-web-app"),
        clock=lambda: clock.now,
        monotonic=lambda: clock.seconds,
    )
    result = Web(app, store, clock)
    for role in ROLES:
        insert_user(
            store,
            {
                "username": role,
                "password_hash": PASSWORD_HASH,
                "role": role,
                "display_name": role.title(),
                "is_active": True,
                "created_at": START,
            },
        )
        result.tokens[role] = create_token(store, role, "tests", now=START).token
    return result


@pytest.fixture
def web(store: Store) -> Web:
    """The app on a fresh store (SQLite and PostgreSQL) with users admin, agent, viewer."""
    return make_web(store)


@pytest.fixture
def sqlite_web(sqlite_store: Store) -> Web:
    """The app on a fresh SQLite store, for tests of the web layer alone."""
    return make_web(sqlite_store)


def post_order(admin: TestClient, external_id: str, customer_id: int, day: str) -> int:
    """Create an order of 10.00 EUR at noon UTC on ``day`` through the API; its id."""
    r = admin.post(
        "/api/v1/orders",
        json={
            "external_id": external_id,
            "customer_id": customer_id,
            "amount_minor": 1000,
            "currency": "EUR",
            "ordered_at": f"{day}T12:00:00Z",
        },
    )
    assert r.status_code == 201, r.text
    return r.json()["id"]


def csrf_of(html: str) -> str:
    """The CSRF token in a page's forms."""
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "page has no CSRF token"
    return match.group(1)


def login(client: TestClient, username: str, password: str = PASSWORD):
    """Log in through the login form; returns the response to the form post."""
    page = client.get("/login")
    return client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )


@pytest.fixture
def browser_clients(sqlite_web: Web) -> Iterator[dict[str, TestClient]]:
    """A logged-in cookie client per role."""
    clients = {}
    for role in ROLES:
        c = sqlite_web.client()
        assert login(c, role).status_code == 303
        clients[role] = c
    yield clients
