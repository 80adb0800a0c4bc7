"""The authorisation matrix: each role x each endpoint x read/write.

``MATRIX`` is the specification: for every API endpoint and page, the least
role that may use it. The test fails when a role can do what it must not, when
it is refused what it may do, and when an endpoint is added without an entry.
"""

from __future__ import annotations

import itertools

import pytest

from .conftest import ROLES, login

RANK = {"viewer": 0, "agent": 1, "admin": 2}
ids = itertools.count(1)


def customer(w):
    return {"external_id": f"M{next(ids)}", "name": "Matrix"}


def order(w):
    return {
        "external_id": f"MO{next(ids)}",
        "customer_id": w["customer"],
        "currency": "EUR",
        "ordered_at": "2025-01-01T00:00:00Z",
        "amount_minor": 100,
    }


def interaction(w):
    return {
        "external_id": f"MI{next(ids)}",
        "customer_id": w["customer"],
        "channel": "phone",
        "occurred_at": "2025-01-01T00:00:00Z",
    }


def feedback(w):
    return {
        "external_id": f"MF{next(ids)}",
        "customer_id": w["customer"],
        "score": 9,
        "responded_at": "2025-01-01T00:00:00Z",
    }


def user(w):
    return {"username": f"u{next(ids)}", "password": "long enough password", "role": "viewer"}


def other_agent(w):
    return {"owner": "agent2" if w["fresh_owner"] == "agent" else "agent"}


def segment(w):
    return {"name": f"s{next(ids)}", "expression": "country = DE"}


def snooze(w):
    return {"action": "snooze", "until": "2030-01-01T00:00:00Z"}


#: (method, path, least role, JSON body maker or None)
MATRIX = [
    ("GET", "/api/v1/me", "viewer", None),
    ("GET", "/api/v1/dashboard", "viewer", None),
    ("GET", "/api/v1/customers", "viewer", None),
    ("GET", "/api/v1/customers/{customer}", "viewer", None),
    ("POST", "/api/v1/customers", "agent", customer),
    ("PATCH", "/api/v1/customers/{customer}", "agent", lambda w: {"name": "New"}),
    ("GET", "/api/v1/orders", "viewer", None),
    ("GET", "/api/v1/orders/{order}", "viewer", None),
    ("POST", "/api/v1/orders", "admin", order),
    ("PATCH", "/api/v1/orders/{order}", "admin", lambda w: {"channel": "web"}),
    ("GET", "/api/v1/interactions", "viewer", None),
    ("GET", "/api/v1/interactions/{interaction}", "viewer", None),
    ("POST", "/api/v1/interactions", "agent", interaction),
    ("PATCH", "/api/v1/interactions/{interaction}", "agent", lambda w: {"note": "called back"}),
    ("GET", "/api/v1/feedback", "viewer", None),
    ("GET", "/api/v1/feedback/{feedback}", "viewer", None),
    ("POST", "/api/v1/feedback", "admin", feedback),
    ("PATCH", "/api/v1/feedback/{feedback}", "agent", lambda w: {"category": "Service"}),
    ("GET", "/api/v1/tokens", "viewer", None),
    ("POST", "/api/v1/tokens", "viewer", lambda w: {"name": "mine"}),
    ("DELETE", "/api/v1/tokens/{own_token}", "viewer", None),
    ("GET", "/api/v1/cases", "viewer", None),
    ("GET", "/api/v1/cases/{case}", "viewer", None),
    ("POST", "/api/v1/cases", "agent", lambda w: {"customer_id": w["customer"], "subject": "x"}),
    ("POST", "/api/v1/cases/{fresh_case}/comments", "agent", lambda w: {"body": "hello"}),
    ("POST", "/api/v1/cases/{fresh_case}/status", "agent", lambda w: {"status": "pending"}),
    ("POST", "/api/v1/cases/{fresh_case}/resolve", "agent", lambda w: {"code": "fixed"}),
    ("POST", "/api/v1/cases/{fresh_case}/assign", "agent", other_agent),
    ("GET", "/api/v1/surveys", "viewer", None),
    ("GET", "/api/v1/surveys/{survey}/results", "viewer", None),
    ("GET", "/api/v1/actions", "viewer", None),
    ("GET", "/api/v1/actions/{action}", "viewer", None),
    ("PATCH", "/api/v1/actions/{action}", "agent", snooze),
    ("POST", "/api/v1/actions/refresh", "agent", None),
    ("GET", "/api/v1/segments", "viewer", None),
    ("POST", "/api/v1/segments", "admin", segment),
    ("GET", "/api/v1/segments/{segment}", "viewer", None),
    ("GET", "/api/v1/segments/{segment}/members", "viewer", None),
    ("DELETE", "/api/v1/segments/{fresh_segment}", "admin", None),
    ("GET", "/api/v1/campaigns", "viewer", None),
    ("GET", "/api/v1/campaigns/{campaign}/report", "viewer", None),
    ("GET", "/api/v1/users", "admin", None),
    ("POST", "/api/v1/users", "admin", user),
]
#: page paths and the least role that may open them
PAGES = [
    ("/", "viewer"),
    ("/customers", "viewer"),
    ("/customers/{customer}", "viewer"),
    ("/cases", "viewer"),
    ("/cases/{case}", "viewer"),
    ("/surveys", "viewer"),
    ("/surveys/{survey}", "viewer"),
    ("/imports", "admin"),
    ("/plan", "viewer"),
    ("/segments", "viewer"),
    ("/segments/{segment}", "viewer"),
    ("/campaigns", "viewer"),
    ("/campaigns/{campaign}", "viewer"),
]
#: forms that change something: the least role (tested with a viewer and an agent)
FORMS = {
    ("POST", "/cases"): "agent",
    ("POST", "/cases/{case_id}/{action}"): "agent",
    ("POST", "/imports/preview"): "admin",  # tested in test_imports_page.py
    ("POST", "/imports/run"): "admin",
    ("POST", "/plan/refresh"): "agent",  # tested in test_plan_forms_by_role
    ("POST", "/plan/{action_id}/{change}"): "agent",
    ("POST", "/segments"): "admin",  # tested in test_segments.py
    ("POST", "/segments/{name}/delete"): "admin",
}
#: reachable without logging in
PUBLIC = {
    ("GET", "/r/{token}"),
    ("POST", "/r/{token}"),
    ("GET", "/r/open/{key}"),
    ("POST", "/r/open/{key}"),
    ("GET", "/outreach/unsubscribe/{token}"),
    ("POST", "/outreach/unsubscribe/{token}"),
    ("GET", "/healthz"),
    ("GET", "/api/v1/openapi.json"),
    ("GET", "/login"),
    ("POST", "/login"),
    ("POST", "/logout"),
}


@pytest.fixture
def world(sqlite_web):
    admin = sqlite_web.api("admin")
    admin.post(
        "/api/v1/users",
        json={"username": "agent2", "password": "long enough password", "role": "agent"},
    )
    c = admin.post("/api/v1/customers", json={"external_id": "W1"}).json()["id"]
    w = {"web": sqlite_web, "customer": c}
    w["order"] = admin.post("/api/v1/orders", json=order(w)).json()["id"]
    w["interaction"] = admin.post("/api/v1/interactions", json=interaction(w)).json()["id"]
    w["feedback"] = admin.post("/api/v1/feedback", json=feedback(w)).json()["id"]
    w["case"] = admin.post("/api/v1/cases", json={"customer_id": c, "subject": "s"}).json()["id"]
    from retain.voice import create_survey

    w["survey"] = create_survey(sqlite_web.store, "Matrix survey", now=sqlite_web.clock.now)
    w["action"] = _action(sqlite_web, c)
    admin.post("/api/v1/segments", json={"name": "world", "expression": "country = DE"})
    w["segment"] = "world"
    w["campaign"] = _campaign(sqlite_web)
    return w


def _campaign(web) -> int:
    """A CSV campaign to one customer with an e-mail address."""
    from retain.outreach import create_campaign, outreach_settings

    web.api("admin").post(
        "/api/v1/customers", json={"external_id": "WC", "email": "wc@example.com"}
    )
    made = create_campaign(
        web.store,
        name="world",
        subject="Hi",
        body="Hi",
        audience={"customers": ["WC"]},
        channel="csv",
        now=web.clock.now,
        cfg=outreach_settings({}),
        control_share=0.0,
    )
    return made["id"]


def _action(web, customer_id: int) -> int:
    """A saved plan action of this cycle for the customer (as `retain plan` saves them)."""
    from retain.outreach import cycle_of
    from retain.store import outreach as db

    row = {
        "customer_id": customer_id,
        "cycle": cycle_of(web.clock.now),
        "rule": "win_back",
        "reason": "matrix",
        "score": 1.0,
        "value_minor": 100,
        "numbers": {},
        "channel": "email",
    }
    db.save_actions(web.store, [row], web.clock.now)
    return db.actions(web.store, cycle=row["cycle"])[0]["id"]


def fill(path: str, w: dict, role: str) -> str:
    if "{fresh_case}" in path:
        made = (
            w["web"]
            .api("admin")
            .post("/api/v1/cases", json={"customer_id": w["customer"], "subject": "fresh"})
        )
        w["fresh_owner"] = made.json()["owner"]
        return path.replace("{fresh_case}", str(made.json()["id"]))
    if "{fresh_segment}" in path:
        made = w["web"].api("admin").post("/api/v1/segments", json=segment(w)).json()
        return path.replace("{fresh_segment}", made["name"])
    if "{own_token}" in path:
        made = w["web"].api(role).post("/api/v1/tokens", json={"name": "to revoke"}).json()
        return path.replace("{own_token}", str(made["id"]))
    return path.format(**{k: v for k, v in w.items() if isinstance(v, int | str)})


def test_matrix_lists_every_route(sqlite_web):
    routes = set()
    for route in sqlite_web.app.routes:
        for method in getattr(route, "methods", None) or ():
            if method != "HEAD" and not route.path.startswith("/static"):
                routes.add((method, route.path))
    listed = {
        (m, p.replace("{own_token}", "{token_id}").replace("{fresh_case}", "{case_id}"))
        for m, p, _, _ in MATRIX
    }
    listed = {(m, p.replace("{fresh_segment}", "{segment}")) for m, p in listed}
    listed |= {("GET", p) for p, _ in PAGES} | PUBLIC | set(FORMS)
    normalise = {
        "{customer}": "{customer_id}",
        "{order}": "{order_id}",
        "{interaction}": "{interaction_id}",
        "{feedback}": "{feedback_id}",
        "{case}": "{case_id}",
        "{survey}": "{survey_id}",
        "{action}": "{action_id}",
        "{segment}": "{name}",
        "{campaign}": "{campaign_id}",
    }
    for short, full in normalise.items():
        listed = {(m, p.replace(short, full)) for m, p in listed}
    assert routes - listed == set(), "add these routes to MATRIX or PAGES"


@pytest.mark.parametrize(
    ("method", "path", "least", "body"), MATRIX, ids=[f"{m} {p}" for m, p, _, _ in MATRIX]
)
def test_each_role_can_do_exactly_what_it_may(world, method, path, least, body):
    web = world["web"]
    for role in ROLES:
        r = web.api(role).request(
            method, fill(path, world, role), json=body(world) if body else None
        )
        if RANK[role] >= RANK[least]:
            assert r.status_code < 400, (role, r.status_code, r.text)
        else:
            assert r.status_code == 403, (role, r.status_code, r.text)
            assert r.headers["content-type"] == "application/problem+json"
    anonymous = web.client().request(
        method, fill(path, world, "admin"), json=body(world) if body else None
    )
    assert anonymous.status_code == 401


@pytest.mark.parametrize(("path", "least"), PAGES)
def test_pages_by_role(world, path, least):
    web = world["web"]
    for role in ROLES:
        c = web.client()
        login(c, role)
        r = c.get(fill(path, world, role), headers={"accept": "text/html"})
        assert r.status_code == (200 if RANK[role] >= RANK[least] else 403), role
    r = web.client().get(
        fill(path, world, "admin"), headers={"accept": "text/html"}, follow_redirects=False
    )
    assert r.status_code == 303 and r.headers["location"].startswith("/login?next=")


def test_forms_by_role(world):
    from .conftest import csrf_of

    web = world["web"]
    for role, expected in (("viewer", 403), ("agent", 303), ("admin", 303)):
        c = web.client()
        login(c, role)
        token = csrf_of(c.get("/cases", headers={"accept": "text/html"}).text)
        r = c.post(
            "/cases",
            data={"customer_id": world["customer"], "subject": "form", "csrf_token": token},
            follow_redirects=False,
        )
        assert r.status_code == expected, role
        if expected == 303:
            case_url = r.headers["location"]
            r = c.post(
                case_url + "/comment",
                data={"body": "hi", "version": 1, "csrf_token": token},
                follow_redirects=False,
            )
            assert r.status_code == 303, role
    assert FORMS  # both form routes are exercised above


def test_plan_forms_by_role(world):
    from .conftest import csrf_of

    web = world["web"]
    for role, expected in (("viewer", 403), ("agent", 303), ("admin", 303)):
        c = web.client()
        login(c, role)
        token = csrf_of(c.get("/plan", headers={"accept": "text/html"}).text)
        r = c.post("/plan/refresh", data={"csrf_token": token}, follow_redirects=False)
        assert r.status_code == expected, role
        r = c.post(
            f"/plan/{world['action']}/snooze",
            data={"until": "2030-01-01", "csrf_token": token},
            follow_redirects=False,
        )
        assert r.status_code == expected, role
        r = c.post(f"/plan/{world['action']}/snooze", data={"until": "2030-01-01"})
        assert r.status_code == 403, role  # no CSRF token
