"""The customer list's stage and segment filters (API and page), on SQLite and PostgreSQL.

Shop at the app's clock, 2026-03-02: Ada bought on 2026-01-10, 2026-02-01 and
2026-02-20 (loyal: three purchase days, 10 days since the last, within the
gap); Bob once on 2026-02-25 (new); Cy and Dan never (prospects). Ada and Cy
live in Germany: the saved segment ``de`` is ``country = "DE"``.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from retain.audience import create_segment

from .conftest import START, login, post_order


@pytest.fixture
def shop(web):
    admin = web.api("admin")
    ids = {}
    for ext, country in (("ada", "DE"), ("bob", "FR"), ("cy", "DE"), ("dan", "FR")):
        body = {"external_id": ext, "name": ext.title(), "country": country}
        ids[ext] = admin.post("/api/v1/customers", json=body).json()["id"]
    for n, (who, day) in enumerate(
        [("ada", "2026-01-10"), ("ada", "2026-02-01"), ("ada", "2026-02-20"), ("bob", "2026-02-25")]
    ):
        post_order(admin, f"O{n}", ids[who], day)
    create_segment(web.store, "de", 'country = "DE"', START)
    return web, ids


def names(api, **params):
    body = api.get("/api/v1/customers", params=params).json()
    assert body["total"] == len(body["items"])
    return [i["name"] for i in body["items"]]


def test_stage_filter_and_stage_column(shop):
    web, _ = shop
    api = web.api("viewer")
    plain = api.get("/api/v1/customers").json()["items"]
    assert all(i["stage"] is None for i in plain)  # a plain list never computes stages
    assert names(api, stage="loyal") == ["Ada"]
    assert names(api, stage="new") == ["Bob"]
    assert names(api, stage="prospect") == ["Cy", "Dan"]
    assert names(api, stage="inactive") == []
    items = api.get("/api/v1/customers").json()["items"]  # now the table is cached
    assert {i["name"]: i["stage"] for i in items} == {
        "Ada": "loyal",
        "Bob": "new",
        "Cy": "prospect",
        "Dan": "prospect",
    }
    assert {i["stage_as_of"] for i in items} == {START.isoformat().replace("+00:00", "Z")}
    assert api.get("/api/v1/customers", params={"stage": "gone"}).status_code == 422


def test_segment_filter_and_both(shop):
    web, _ = shop
    api = web.api("viewer")
    assert names(api, segment="de") == ["Ada", "Cy"]
    assert names(api, segment="de", stage="prospect") == ["Cy"]
    assert names(api, segment="de", q="ad") == ["Ada"]
    missing = api.get("/api/v1/customers", params={"segment": "nope"})
    assert missing.status_code == 404 and "nope" in missing.json()["detail"]


def test_stage_table_is_kept_and_says_how_fresh(shop):
    web, ids = shop
    c = web.client()
    login(c, "viewer")
    page = c.get("/customers", params={"stage": "loyal"}, headers={"accept": "text/html"})
    assert "Stages as of 2026-03-02 09:00" in page.text
    assert ">Ada</a>" in page.text and ">Bob</a>" not in page.text
    assert "<option selected>loyal</option>" in page.text
    assert ">de</option>" in page.text
    # Bob buys twice more: the kept table still says new until it expires
    for n, day in enumerate(("2026-02-26", "2026-02-27")):
        post_order(web.api("admin"), f"B{n}", ids["bob"], day)
    assert names(web.api("viewer"), stage="loyal") == ["Ada"]
    web.clock.advance(timedelta(seconds=601))
    assert names(web.api("viewer"), stage="loyal") == ["Ada", "Bob"]
