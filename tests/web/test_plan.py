"""The plan page and /api/v1/actions on hand-made customers (numbers worked by hand).

The shop is the one of tests/outreach/test_plan.py: one customer per rule,
two of them owned by the agent. With the default settings the plan scores
(value x uplift / effort minutes):

=========  =============  ===================  ======
customer   rule           value x uplift / m   score
=========  =============  ===================  ======
LOYAL      loyal_lapsing  2000 x 0.30 / 10     60
DETRACTOR  detractor      400 x 0.25 / 10      10
CASE       case_sla       200 x 0.40 / 10      8
NEW        new_follow_up  80 x 0.20 / 2        8
GONE       win_back       243.5 x 0.05 / 2     6.09
=========  =============  ===================  ======

CASE and NEW tie at 8: the order of ``rules`` puts case_sla first.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from tests.outreach.kit import NOW, Seed

from retain.store.schema import Interaction, User

from .conftest import csrf_of, login

ORDER = ["LOYAL", "DETRACTOR", "CASE", "NEW", "GONE"]


def _user_id(store, username: str) -> int:
    with store.read() as conn:
        return conn.execute(select(User.id).where(User.username == username)).scalar_one()


def make_shop(web) -> dict[str, int]:
    """The hand-made customers; the web clock at the kit's NOW (2026-W11)."""
    web.clock.now = NOW
    seed = Seed(web.store)
    agent = _user_id(web.store, "agent")
    ids = {}
    ids["LOYAL"] = seed.customer("LOYAL", owner_id=agent)
    seed.orders(ids["LOYAL"], [135, 105, 75, 45], amount_minor=50_000)
    ids["NEW"] = seed.customer("NEW")
    seed.order(ids["NEW"], 10, amount_minor=8_000)
    ids["DETRACTOR"] = seed.customer("DETRACTOR", owner_id=agent)
    seed.orders(ids["DETRACTOR"], [60, 20], amount_minor=20_000)
    seed.feedback(ids["DETRACTOR"], 7, 3)
    ids["CASE"] = seed.customer("CASE")
    seed.orders(ids["CASE"], [40, 15])
    seed.case(ids["CASE"], due_in_hours=3)
    ids["GONE"] = seed.customer("GONE")
    seed.orders(ids["GONE"], [900, 870], amount_minor=30_000)
    ids["FINE"] = seed.customer("FINE")
    seed.orders(ids["FINE"], [50, 25])
    return ids


@pytest.fixture
def shop(web) -> dict[str, int]:
    return make_shop(web)


def built(web) -> list[dict]:
    r = web.api("agent").post("/api/v1/actions/refresh")
    assert r.status_code == 200, r.text
    assert r.json() == {"cycle": "2026-W11", "to_do": 5}
    return web.api("viewer").get("/api/v1/actions").json()["items"]


def test_no_plan_until_someone_builds_it(web, shop):
    r = web.api("viewer").get("/api/v1/actions")
    assert r.status_code == 200
    assert r.json() == {"items": [], "total": 0, "page": 1, "per_page": 50}


def test_actions_ranked_with_hand_worked_scores(web, shop):
    items = built(web)
    assert [a["external_id"] for a in items] == ORDER
    assert [a["rank"] for a in items] == [1, 2, 3, 4, 5]
    assert [a["score"] for a in items] == [60.0, 10.0, 8.0, 8.0, pytest.approx(6.09, abs=0.01)]
    loyal = items[0]
    assert loyal["rule"] == "loyal_lapsing" and loyal["channel"] == "phone"
    assert loyal["value_minor"] == 200_000 and loyal["owner"] == "agent"
    assert loyal["customer_id"] == shop["LOYAL"] and loyal["cycle"] == "2026-W11"
    assert "uplift 30% / 10 min by phone = 60" in loyal["reason"]
    assert loyal["numbers"]["value_minor"] == 200_000
    assert {a["status"] for a in items} == {"open"}


def test_building_again_keeps_one_action_per_customer(web, shop):
    first = built(web)
    again = web.api("admin").post("/api/v1/actions/refresh").json()
    assert again == {"cycle": "2026-W11", "to_do": 5}
    items = web.api("viewer").get("/api/v1/actions").json()["items"]
    assert [a["id"] for a in items] == [a["id"] for a in first]


def test_filters_and_pages(web, shop):
    built(web)
    api = web.api("viewer")
    mine = api.get("/api/v1/actions", params={"owner": "agent"}).json()
    assert [a["external_id"] for a in mine["items"]] == ["LOYAL", "DETRACTOR"]
    assert [a["rank"] for a in mine["items"]] == [1, 2]  # rank in the whole cycle
    nobody = api.get("/api/v1/actions", params={"owner": "nobody"}).json()
    assert nobody["items"] == [] and nobody["total"] == 0
    by_rule = api.get("/api/v1/actions", params={"rule": "win_back"}).json()
    assert [a["external_id"] for a in by_rule["items"]] == ["GONE"]
    assert by_rule["items"][0]["rank"] == 5
    second = api.get("/api/v1/actions", params={"per_page": 2, "page": 2}).json()
    assert [a["external_id"] for a in second["items"]] == ["CASE", "NEW"]
    assert second["total"] == 5
    bad = api.get("/api/v1/actions", params={"rule": "telepathy"})
    assert bad.status_code == 422
    assert bad.headers["content-type"] == "application/problem+json"


def test_assign_done_snooze_through_the_api(web, shop):
    items = built(web)
    ids = {a["external_id"]: a["id"] for a in items}
    agent = web.api("agent")
    r = agent.patch(f"/api/v1/actions/{ids['NEW']}", json={"action": "assign", "to": "admin"})
    assert r.status_code == 200
    assert r.json()["status"] == "assigned" and r.json()["assignee"] == "admin"
    assert r.json()["rank"] == 4  # behind CASE, with the same score 8 and an older id
    assert [
        a["external_id"]
        for a in agent.get("/api/v1/actions", params={"owner": "admin"}).json()["items"]
    ] == ["NEW"]

    web.clock.advance(timedelta(hours=1))
    r = agent.patch(
        f"/api/v1/actions/{ids['LOYAL']}", json={"action": "done", "outcome": "orders Friday"}
    )
    assert r.status_code == 200
    done = r.json()
    assert done["status"] == "done" and done["outcome"] == "orders Friday"
    assert done["done_at"].startswith("2026-03-11T13:00")
    # the contact is on the timeline, as `retain actions done` records it
    with web.store.read() as conn:
        touch = conn.execute(
            select(Interaction).where(Interaction.customer_id == shop["LOYAL"])
        ).one()
    assert touch.kind == "outreach:loyal_lapsing" and touch.channel == "phone"
    assert touch.note == "orders Friday" and touch.direction == "outbound"

    again = agent.patch(f"/api/v1/actions/{ids['LOYAL']}", json={"action": "done", "outcome": "x"})
    assert again.status_code == 422 and "done already" in again.json()["detail"]

    r = agent.patch(
        f"/api/v1/actions/{ids['GONE']}",
        json={"action": "snooze", "until": "2026-04-01T00:00:00Z"},
    )
    assert r.status_code == 200 and r.json()["status"] == "snoozed"
    assert r.json()["snoozed_until"].startswith("2026-04-01T00:00")
    todo = agent.get("/api/v1/actions", params={"status": ["open", "assigned"]}).json()
    assert [a["external_id"] for a in todo["items"]] == ["DETRACTOR", "CASE", "NEW"]


@pytest.mark.parametrize(
    ("body", "status", "words"),
    [
        ({"action": "snooze", "until": "2026-03-01T00:00:00Z"}, 422, "later time than now"),
        ({"action": "snooze", "until": "2026-04-01T00:00:00"}, 422, "timezone"),
        ({"action": "done", "outcome": "   "}, 422, "pattern"),
        ({"action": "assign", "to": "nobody"}, 404, "no user 'nobody'"),
        ({"action": "delete"}, 422, "action"),
        ({"action": "done", "outcome": "ok", "extra": 1}, 422, "extra"),
    ],
)
def test_bad_changes_are_problems(web, shop, body, status, words):
    action = built(web)[0]["id"]
    r = web.api("agent").patch(f"/api/v1/actions/{action}", json=body)
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert words in r.text


def test_unknown_action_is_404(web, shop):
    r = web.api("agent").patch("/api/v1/actions/999", json={"action": "done", "outcome": "x"})
    assert r.status_code == 404 and "no action 999" in r.json()["detail"]
    assert web.api("viewer").get("/api/v1/actions/999").status_code == 404


def test_rule_names_match_the_library():
    from retain.outreach import RULES
    from retain.web.schemas.actions import Rule

    assert set(Rule.__args__) == set(RULES)


def _page(client, url="/plan"):
    r = client.get(url, headers={"accept": "text/html"})
    assert r.status_code == 200
    return r.text


def test_page_agent_sees_own_first_and_works_an_action(web, shop):
    c = web.client()
    login(c, "agent")
    html = _page(c)
    assert "No plan has been built for 2026-W11 yet" in html
    r = c.post("/plan/refresh", data={"csrf_token": csrf_of(html)}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/plan"
    html = _page(c)
    assert "5 open · 0 assigned · 0 done · 0 snoozed" in html
    # the agent's own customers only, by default
    assert html.count('<tr id="action-') == 2
    assert "LOYAL" in html and "DETRACTOR" in html and "GONE" not in html
    assert "$2,000.00" in html  # value_minor 200_000 in the default currency, USD
    everyone = _page(c, "/plan?owner=")
    assert everyone.count('<tr id="action-') == 5
    # the filter form as the browser sends it: empty fields mean "any"
    by_form = _page(c, "/plan?owner=&rule=&status=todo")
    assert by_form.count('<tr id="action-') == 5
    assert _page(c, "/plan?owner=&rule=win_back&status=all").count('<tr id="action-') == 1
    action = web.api("viewer").get("/api/v1/actions").json()["items"][0]["id"]
    r = c.post(
        f"/plan/{action}/done",
        data={"outcome": "called, happy", "csrf_token": csrf_of(html), "back": "/plan?owner="},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == "/plan?owner="
    done = _page(c, "/plan?status=done&owner=")
    assert done.count('<tr id="action-') == 1 and "called, happy" in done
    r = c.post(
        f"/plan/{action}/done",
        data={"outcome": " ", "csrf_token": csrf_of(html)},
        headers={"accept": "text/html"},
    )
    assert r.status_code == 422 and "say what came of the contact" in r.text


def test_page_snooze_by_date_in_the_business_zone(web, shop):
    items = built(web)
    c = web.client()
    login(c, "admin")
    html = _page(c)
    r = c.post(
        f"/plan/{items[1]['id']}/snooze",
        data={"until": "2026-03-20", "csrf_token": csrf_of(html), "back": "https://evil.example"},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == "/plan"
    got = web.api("viewer").get(f"/api/v1/actions/{items[1]['id']}").json()
    assert got["status"] == "snoozed" and got["snoozed_until"].startswith("2026-03-20T00:00")


def test_viewer_reads_but_has_no_forms(web, shop):
    built(web)
    c = web.client()
    login(c, "viewer")
    html = _page(c)
    assert html.count('<tr id="action-') == 5  # viewers are nobody's rep: everyone's
    assert "/plan/refresh" not in html and "form-done" not in html
    action = web.api("viewer").get("/api/v1/actions").json()["items"][0]["id"]
    r = c.post(
        f"/plan/{action}/done",
        data={"outcome": "x", "csrf_token": csrf_of(html)},
        headers={"accept": "text/html"},
    )
    assert r.status_code == 403


def test_dashboard_card_hints_then_lists_the_top_actions(web, shop):
    c = web.client()
    login(c, "viewer")
    html = _page(c, "/")
    assert "No plan has been built for this week yet" in html
    items = built(web)
    web.api("agent").patch(
        f"/api/v1/actions/{items[0]['id']}", json={"action": "done", "outcome": "called"}
    )
    html = _page(c, "/")
    card = html[html.index('id="outreach-card"') :]
    # LOYAL is done: the four still to do, best first, each linking to its customer
    links = [f'href="/customers/{shop[k]}"' for k in ("DETRACTOR", "CASE", "NEW", "GONE")]
    assert all(link in card for link in links)
    assert [card.index(link) for link in links] == sorted(card.index(link) for link in links)
    assert f'href="/customers/{shop["LOYAL"]}"' not in card
    assert "All 4 actions to do this week" in card and 'href="/plan?owner="' in card
    assert "detractor</strong>: " in card
