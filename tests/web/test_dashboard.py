"""Dashboard figures: computed from the records by the capabilities, never made up."""

from __future__ import annotations

import pytest

from .conftest import post_order


def test_empty_store_shows_no_numbers(sqlite_web):
    body = sqlite_web.api("viewer").get("/api/v1/dashboard").json()
    for name in ("stages", "flows", "cohorts", "returning", "at_risk", "nps"):
        assert body[name]["available"] is False and body[name]["data"] is None, name
        assert body[name]["reason"]
    assert body["cases"]["data"] == {"open": 0, "late": 0, "by_priority": {}}


@pytest.fixture
def small_shop(sqlite_web):
    admin = sqlite_web.api("admin")
    ids = {}
    for ext in ("A", "B", "C"):
        ids[ext] = admin.post("/api/v1/customers", json={"external_id": ext}).json()["id"]
    for n, (who, day) in enumerate(
        [("A", "2026-01-10"), ("A", "2026-02-01"), ("A", "2026-02-20"), ("B", "2026-02-25")]
    ):
        post_order(admin, f"O{n}", ids[who], day)
    for n, score in enumerate([10, 9, 7, 3]):  # 2 promoters, 1 passive, 1 detractor
        admin.post(
            "/api/v1/feedback",
            json={
                "external_id": f"F{n}",
                "customer_id": ids["A"],
                "score": score,
                "responded_at": "2026-02-15T00:00:00Z",
            },
        )
    return sqlite_web, ids


def test_figures_match_a_hand_count(small_shop):
    web, _ids = small_shop  # clock: 2026-03-02
    body = web.api("viewer").get("/api/v1/dashboard").json()
    assert body["as_of"].startswith("2026-03-02")
    counts = {}
    for row in body["stages"]["data"]:
        counts[row["stage"]] = counts.get(row["stage"], 0) + row["customers"]
    assert counts == {"prospect": 1, "new": 1, "loyal": 1}  # C none, B one, A three
    assert body["returning"]["data"]["rate"] == pytest.approx(0.5)  # A of A and B
    feb = next(m for m in body["nps"]["data"]["months"] if m["group"] == "2026-02")
    assert feb["n"] == 4 and feb["score"] == pytest.approx(25.0)  # (2 - 1) / 4
    cohorts = {(r["cohort"], r["months_since"]): r["retained_pct"] for r in body["cohorts"]["data"]}
    assert cohorts[("2026-01", 0)] == 100.0 and cohorts[("2026-01", 1)] == 100.0


def test_figures_are_cached_until_they_expire(small_shop):
    web, _ids = small_shop
    api = web.api("viewer")
    first = api.get("/api/v1/dashboard").json()
    web.api("admin").post("/api/v1/customers", json={"external_id": "D"})
    assert api.get("/api/v1/dashboard").json() == first
    from datetime import timedelta

    web.clock.advance(timedelta(seconds=601))
    again = api.get("/api/v1/dashboard").json()
    prospects = sum(r["customers"] for r in again["stages"]["data"] if r["stage"] == "prospect")
    assert prospects == 2


def test_customer_page_shows_the_dashboards_stage_without_it(small_shop):
    """The customer 360 page computes his stage itself (no need to open the dashboard
    first); it is the stage the dashboard counts him in."""
    from .conftest import login

    web, ids = small_shop
    c = web.client()
    login(c, "viewer")
    page = c.get(f"/customers/{ids['A']}", headers={"accept": "text/html"})
    assert 'class="badge stage-loyal">loyal<' in page.text
    stages = {r["stage"] for r in c.get("/api/v1/dashboard").json()["stages"]["data"]}
    assert "loyal" in stages
