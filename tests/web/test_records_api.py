"""The REST API over customers, orders, touchpoints and feedback (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest


def add_customer(api, external_id, **fields):
    r = api.post("/api/v1/customers", json={"external_id": external_id, **fields})
    assert r.status_code == 201, r.text
    return r.json()


def add_order(api, customer_id, external_id, at, amount, **fields):
    body = {
        "external_id": external_id,
        "customer_id": customer_id,
        "ordered_at": at,
        "amount_minor": amount,
        "currency": "EUR",
        **fields,
    }
    r = api.post("/api/v1/orders", json=body)
    assert r.status_code == 201, r.text
    return r.json()


@pytest.fixture
def shop(web):
    """Three customers; Ada bought twice (one partly refunded), Bob once."""
    admin = web.api("admin")
    ada = add_customer(
        admin,
        "C1",
        name="Ada Lovelace",
        email="ada@example.com",
        country="GB",
        owner="agent",
        email_consent=True,
    )
    bob = add_customer(admin, "C2", name="Bob Builder", email="bob@example.org", country="DE")
    cy = add_customer(admin, "C3", name="Cy Twombly", company="Lovelace Ltd", country="DE")
    add_order(admin, ada["id"], "O1", "2025-01-05T10:00:00+01:00", 12000)
    add_order(
        admin,
        ada["id"],
        "O2",
        "2025-03-01T10:00:00Z",
        8000,
        refunded_minor=3000,
        status="partially_refunded",
    )
    add_order(admin, bob["id"], "O3", "2025-02-01T10:00:00Z", 5000)
    return {"web": web, "ada": ada, "bob": bob, "cy": cy}


def test_create_customer_fills_and_validates(web):
    api = web.api("agent")
    made = add_customer(
        api,
        "X1",
        name="Zoe",
        email="zoe@example.com",
        country="FR",
        email_consent=False,
        tags=["vip"],
    )
    assert made["external_id"] == "X1" and made["country"] == "FR" and made["tags"] == ["vip"]
    assert made["consent_updated_at"] is not None and made["do_not_contact"] is False
    r = api.post("/api/v1/customers", json={"external_id": "X1"})
    assert r.status_code == 409 and "exists already" in r.json()["detail"]
    for bad in (
        {"external_id": "X2", "email": "not-an-email"},
        {"external_id": "X2", "country": "France"},
        {"external_id": "X2", "shoe_size": 9},
        {"external_id": ""},
    ):
        r = api.post("/api/v1/customers", json=bad)
        assert r.status_code == 422, (bad, r.text)
        assert r.headers["content-type"] == "application/problem+json"


def test_update_customer_changes_only_what_is_sent(shop):
    api = shop["web"].api("agent")
    ada = shop["ada"]
    r = api.patch(
        f"/api/v1/customers/{ada['id']}",
        json={"do_not_contact": True, "do_not_contact_reason": "asked"},
    )
    assert r.status_code == 200
    body = r.json()
    assert body["do_not_contact"] is True and body["name"] == "Ada Lovelace"
    assert body["email_consent"] is True
    assert api.patch("/api/v1/customers/99999", json={"name": "x"}).status_code == 404
    assert (
        api.patch(f"/api/v1/customers/{ada['id']}", json={"do_not_contact": None}).status_code
        == 422
    )


def test_list_search_filter_sort_and_pages(shop):
    api = shop["web"].api("viewer")
    r = api.get("/api/v1/customers", params={"q": "lovelace"})
    assert [c["external_id"] for c in r.json()["items"]] == ["C1", "C3"]  # name and company
    r = api.get("/api/v1/customers", params={"country": "de", "sort": "-name"})
    assert [c["external_id"] for c in r.json()["items"]] == ["C3", "C2"]
    r = api.get("/api/v1/customers", params={"rep": "agent"})
    assert [c["external_id"] for c in r.json()["items"]] == ["C1"]
    r = api.get("/api/v1/customers", params={"min_spent_minor": 10000})
    ada = r.json()["items"]
    assert [c["external_id"] for c in ada] == ["C1"]
    assert ada[0]["orders"] == 2 and ada[0]["spent_minor"] == 12000 + 8000 - 3000
    page2 = api.get("/api/v1/customers", params={"per_page": 2, "page": 2}).json()
    assert page2["total"] == 3 and page2["page"] == 2 and len(page2["items"]) == 1
    assert page2["items"][0]["external_id"] == "C3"
    beyond = api.get("/api/v1/customers", params={"per_page": 2, "page": 5}).json()
    assert beyond["items"] == [] and beyond["total"] == 3
    none = api.get("/api/v1/customers", params={"q": "nobody-here"}).json()
    assert none == {"items": [], "total": 0, "page": 1, "per_page": 50}
    assert api.get("/api/v1/customers", params={"sort": "password"}).status_code == 422
    assert api.get("/api/v1/customers", params={"rep": "nobody"}).json()["total"] == 0
    agent = shop["web"].api("agent")
    r = agent.post("/api/v1/customers", json={"external_id": "X2", "owner": "nobody"})
    assert r.status_code == 404 and "no user 'nobody'" in r.json()["detail"]


def test_customer_360_timeline_is_newest_first(shop):
    web, ada = shop["web"], shop["ada"]
    agent = web.api("agent")
    r = agent.post(
        "/api/v1/interactions",
        json={
            "external_id": "T1",
            "customer_id": ada["id"],
            "occurred_at": "2025-02-10T09:00:00Z",
            "channel": "phone",
            "direction": "inbound",
            "note": "asked about sizes",
        },
    )
    assert r.status_code == 201 and r.json()["user_id"] is not None
    r = web.api("admin").post(
        "/api/v1/feedback",
        json={
            "external_id": "F1",
            "customer_id": ada["id"],
            "kind": "review",
            "score": 4,
            "score_min": 1,
            "score_max": 5,
            "comment": "good",
            "responded_at": "2025-03-05T00:00:00Z",
        },
    )
    assert r.status_code == 201
    assert r.json()["nps_score"] == 8  # 4 on 1..5 is 7.5 on 0..10, rounded half up
    view = web.api("viewer").get(f"/api/v1/customers/{ada['id']}").json()
    assert [(e["kind"], e["at"][:10]) for e in view["timeline"]] == [
        ("feedback", "2025-03-05"),
        ("order", "2025-03-01"),
        ("interaction", "2025-02-10"),
        ("order", "2025-01-05"),
    ]
    assert view["customer"]["orders"] == 2 and view["owner_username"] == "agent"
    assert view["first_order_at"].startswith("2025-01-05T09:00:00")  # stored in UTC
    assert web.api("viewer").get("/api/v1/customers/99999").status_code == 404


def test_orders_filter_sort_and_validate(shop):
    web = shop["web"]
    api = web.api("viewer")
    r = api.get("/api/v1/orders", params={"customer_id": shop["ada"]["id"]})
    assert [o["external_id"] for o in r.json()["items"]] == ["O2", "O1"]
    r = api.get("/api/v1/orders", params={"sort": "amount_minor"})
    assert [o["amount_minor"] for o in r.json()["items"]] == [5000, 8000, 12000]
    r = api.get(
        "/api/v1/orders", params={"since": "2025-02-01T10:00:00Z", "before": "2025-03-01T10:00:00Z"}
    )
    assert [o["external_id"] for o in r.json()["items"]] == ["O3"]
    r = api.get("/api/v1/orders", params={"status": "partially_refunded"})
    assert r.json()["total"] == 1
    admin = web.api("admin")
    base = {
        "external_id": "O9",
        "customer_id": shop["bob"]["id"],
        "ordered_at": "2025-04-01T00:00:00Z",
        "amount_minor": 100,
        "currency": "EUR",
    }
    assert admin.post("/api/v1/orders", json={**base, "refunded_minor": 200}).status_code == 422
    assert (
        admin.post("/api/v1/orders", json={**base, "ordered_at": "2025-04-01T00:00:00"}).status_code
        == 422
    )  # a time without a zone is ambiguous
    assert admin.post("/api/v1/orders", json={**base, "customer_id": 99999}).status_code == 404
    assert admin.post("/api/v1/orders", json={**base, "external_id": "O1"}).status_code == 409
    o3 = api.get("/api/v1/orders", params={"customer_id": shop["bob"]["id"]}).json()["items"][0]
    r = admin.patch(f"/api/v1/orders/{o3['id']}", json={"refunded_minor": 6000})
    assert r.status_code == 422 and "larger than amount_minor" in r.json()["detail"]
    r = admin.patch(
        f"/api/v1/orders/{o3['id']}", json={"refunded_minor": 5000, "status": "refunded"}
    )
    assert r.status_code == 200 and r.json()["status"] == "refunded"
    assert api.get(f"/api/v1/orders/{o3['id']}").json()["refunded_minor"] == 5000


def test_feedback_and_interactions_lists(shop):
    web = shop["web"]
    admin = web.api("admin")
    for i, score in enumerate((10, 3, 8)):
        r = admin.post(
            "/api/v1/feedback",
            json={
                "external_id": f"F{i}",
                "customer_id": shop["bob"]["id"],
                "score": score,
                "responded_at": f"2025-05-0{i + 1}T00:00:00Z",
            },
        )
        assert r.status_code == 201
    r = admin.post(
        "/api/v1/feedback",
        json={"external_id": "F9", "score": 11, "responded_at": "2025-05-01T00:00:00Z"},
    )
    assert r.status_code == 422 and "outside its scale" in r.json()["detail"]
    r = web.api("viewer").get("/api/v1/feedback", params={"sort": "nps_score"})
    assert [f["nps_score"] for f in r.json()["items"]] == [3, 8, 10]
    f0 = r.json()["items"][0]
    r = web.api("agent").patch(f"/api/v1/feedback/{f0['id']}", json={"category": "Support"})
    assert r.status_code == 200 and r.json()["category"] == "Support"
    r = web.api("viewer").get("/api/v1/interactions", params={"direction": "inbound"})
    assert r.status_code == 200 and r.json()["total"] == 0


def test_customer_pages(shop):
    from .conftest import login

    web = shop["web"]
    c = web.client()
    login(c, "viewer")
    page = c.get("/customers?q=lovelace", headers={"accept": "text/html"})
    assert page.status_code == 200
    assert "Ada Lovelace" in page.text and "Cy Twombly" in page.text
    assert "Bob Builder" not in page.text
    one = c.get(f"/customers/{shop['ada']['id']}", headers={"accept": "text/html"})
    assert one.status_code == 200 and "€170.00" in one.text and "Timeline" in one.text
