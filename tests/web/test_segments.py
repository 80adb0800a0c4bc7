"""Segments in the web app and /api/v1/segments, on a hand-made shop (numbers worked by hand).

=========  =======  =====================  ===========
customer   country  orders (net revenue)   latest NPS
=========  =======  =====================  ===========
DE1        DE       100 + 100 = 200        10
DE2        DE       50                     3
DE3        DE       none                   --
FR1        FR       150                    9
FR2        FR       100                    --
US1        US       500                    --
=========  =======  =====================  ===========

Total revenue 1,000. Segment ``country = "DE"``: 3 of 6 customers (50%),
revenue 250 (25%); NPS of its answers (10, 3): one promoter, one detractor
of two = 0; everyone's (10, 3, 9): 2 promoters, 1 detractor of 3 = 33.3.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from retain.web.segments import audience_cache

from .conftest import csrf_of, login

SHOP = {
    "DE1": ("DE", [10_000, 10_000], 10),
    "DE2": ("DE", [5_000], 3),
    "DE3": ("DE", [], None),
    "FR1": ("FR", [15_000], 9),
    "FR2": ("FR", [10_000], None),
    "US1": ("US", [50_000], None),
}


def add_customer(admin, ext: str, country: str, amounts: list[int], score: int | None) -> int:
    made = admin.post("/api/v1/customers", json={"external_id": ext, "country": country})
    assert made.status_code == 201, made.text
    cid = made.json()["id"]
    for k, amount in enumerate(amounts):
        r = admin.post(
            "/api/v1/orders",
            json={
                "external_id": f"{ext}-O{k}",
                "customer_id": cid,
                "amount_minor": amount,
                "currency": "EUR",
                "ordered_at": f"2025-{k + 5:02d}-01T10:00:00Z",
            },
        )
        assert r.status_code == 201, r.text
    if score is not None:
        r = admin.post(
            "/api/v1/feedback",
            json={
                "external_id": f"{ext}-F",
                "customer_id": cid,
                "score": score,
                "responded_at": "2026-02-01T10:00:00Z",
            },
        )
        assert r.status_code == 201, r.text
    return cid


@pytest.fixture
def shop(web):
    admin = web.api("admin")
    for ext, (country, amounts, score) in SHOP.items():
        add_customer(admin, ext, country, amounts, score)
    return web


def create(api, name: str, expression: str, **extra):
    return api.post("/api/v1/segments", json={"name": name, "expression": expression, **extra})


def test_create_list_show_members_delete(shop):
    admin, viewer = shop.api("admin"), shop.api("viewer")
    r = create(admin, "de", 'country = "DE"', description="German customers")
    assert r.status_code == 201, r.text
    made = r.json()
    assert made["customers"] == 3 and made["total"] == 6 and made["share"] == 0.5
    assert made["revenue"] == pytest.approx(250.0) and made["revenue_share"] == pytest.approx(0.25)
    # six customers are too few to fit the CLV models: value unknown, not zero
    assert made["clv"] is None and made["value_share"] is None
    assert made["warnings"] == [
        "too small: 3 customers, fewer than 50; a niche this small is rarely worth a message "
        "of its own (merge it with a neighbour or widen the filter)"
    ]
    assert create(admin, "all", "customer_id is not null").status_code == 201

    listed = viewer.get("/api/v1/segments").json()
    assert listed["total"] == 2 and [s["name"] for s in listed["items"]] == ["all", "de"]
    everyone = listed["items"][0]
    assert everyone["customers"] == 6 and everyone["revenue_share"] == pytest.approx(1.0)
    assert any(w.startswith("everyone: 100%") for w in everyone["warnings"])

    detail = viewer.get("/api/v1/segments/de").json()
    assert detail["description"] == "German customers"
    de, people = detail["compare"]
    assert de["segment"] == "de" and people["segment"] == "everyone"
    assert de["customers"] == 3 and people["customers"] == 6
    assert de["nps"] == pytest.approx(0.0) and de["nps_answers"] == 2
    assert people["nps"] == pytest.approx(100 / 3) and people["nps_answers"] == 3
    # buyers DE1, DE2; repeat buyers (2+ purchase days): DE1 -> 1/2
    assert de["repeat_rate"] == pytest.approx(0.5)
    stages = {k: v for k, v in de.items() if k.startswith("stage_")}
    assert sum(stages.values()) == pytest.approx(1.0)
    assert detail["profile"] == [] and detail["profile_note"]

    page1 = viewer.get("/api/v1/segments/de/members", params={"per_page": 2}).json()
    assert page1 == {"items": ["DE1", "DE2"], "total": 3, "page": 1, "per_page": 2}
    page2 = viewer.get("/api/v1/segments/de/members", params={"per_page": 2, "page": 2}).json()
    assert page2["items"] == ["DE3"]

    assert admin.delete("/api/v1/segments/de").status_code == 204
    gone = viewer.get("/api/v1/segments/de")
    assert gone.status_code == 404 and "no segment named 'de'" in gone.json()["detail"]
    assert admin.delete("/api/v1/segments/de").status_code == 404


@pytest.mark.parametrize(
    ("expression", "words"),
    [
        ("stage in (loyal", "column 16: expected ',' or ')'"),
        ('planet = "Mars"', "unknown field 'planet'"),
        ("country = ", "column"),
    ],
)
def test_bad_filters_name_the_position(shop, expression, words):
    r = create(shop.api("admin"), "bad", expression)
    assert r.status_code == 422
    assert r.headers["content-type"] == "application/problem+json"
    assert words in r.json()["detail"]
    assert shop.api("viewer").get("/api/v1/segments").json()["total"] == 0


def test_names_are_checked_and_unique(shop):
    admin = shop.api("admin")
    assert create(admin, "../etc", "country = DE").status_code == 422
    assert create(admin, "de", "country = DE").status_code == 201
    again = create(admin, "de", "country = FR")
    assert again.status_code == 409 and "exists already" in again.json()["detail"]


def test_audience_table_is_kept_for_the_ttl(shop):
    admin = shop.api("admin")
    create(admin, "fr", "country = FR")
    assert admin.get("/api/v1/segments/fr/members").json()["total"] == 2
    add_customer(admin, "FR3", "FR", [1_000], None)
    assert admin.get("/api/v1/segments/fr/members").json()["total"] == 2  # kept
    shop.clock.advance(timedelta(seconds=601))  # [web] figures_ttl_seconds = 600
    # stale: still served while a background thread builds the new table
    assert admin.get("/api/v1/segments/fr/members").json()["total"] == 2
    audience_cache(shop.app.state).wait(timeout=60)
    assert admin.get("/api/v1/segments/fr/members").json()["items"] == ["FR1", "FR2", "FR3"]


def _html(client, url: str, status: int = 200) -> str:
    r = client.get(url, headers={"accept": "text/html"})
    assert r.status_code == status
    return r.text


def test_pages_admin_creates_and_deletes(shop):
    c = shop.client()
    login(c, "admin")
    html = _html(c, "/segments")
    assert "No segments yet" in html and 'action="/segments"' in html
    token = csrf_of(html)
    r = c.post(
        "/segments",
        data={"name": "bad", "expression": "stage in (loyal", "csrf_token": token},
        headers={"accept": "text/html"},
    )
    assert r.status_code == 422
    assert "column 16" in r.text and "\n  stage in (loyal\n                 ^" in r.text
    assert 'value="stage in (loyal"' in r.text  # the form keeps what was typed
    r = c.post(
        "/segments",
        data={"name": "de", "expression": 'country = "DE"', "csrf_token": token},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == "/segments/de"
    html = _html(c, "/segments")
    assert '<a href="/segments/de">de</a>' in html and "50.0%" in html and "25.0%" in html
    assert "too small" in html
    page = _html(c, "/segments/de")
    assert 'href="/customers?segment=de"' in page
    assert "3" in page and "of 6" in page and "€" not in page  # default currency USD
    assert "$250.00" in page
    assert "no CLV model could be fitted" in page
    r = c.post("/segments/de/delete", data={"csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303
    _html(c, "/segments/de", 404)


def test_pages_viewers_read_only(shop):
    create(shop.api("admin"), "us", "country = US")
    for role in ("viewer", "agent"):
        c = shop.client()
        login(c, role)
        html = _html(c, "/segments")
        assert 'action="/segments"' not in html and "/segments/us" in html
        assert "form-delete" not in _html(c, "/segments/us")
        r = c.post(
            "/segments",
            data={"name": "x", "expression": "country = US", "csrf_token": csrf_of(html)},
            headers={"accept": "text/html"},
        )
        assert r.status_code == 403, role
        r = c.post(
            "/segments/us/delete",
            data={"csrf_token": csrf_of(html)},
            headers={"accept": "text/html"},
        )
        assert r.status_code == 403, role
