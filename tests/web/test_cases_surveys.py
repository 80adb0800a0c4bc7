"""Cases through the API and pages, and surveys with their public response page."""

from __future__ import annotations

from .conftest import csrf_of, login


def new_customer(web, ext="K1"):
    r = web.api("admin").post("/api/v1/customers", json={"external_id": ext, "name": "Kim"})
    return r.json()["id"]


def test_work_a_case_from_open_to_resolved(web):
    customer = new_customer(web)
    agent = web.api("agent")
    r = agent.post(
        "/api/v1/cases",
        json={"customer_id": customer, "subject": "Parcel late", "source": "complaint"},
    )
    assert r.status_code == 201, r.text
    case = r.json()
    assert case["status"] == "open" and case["owner"] in ("agent", "admin")
    assert case["first_response_due_at"] is not None
    cid = case["id"]
    r = agent.post(
        f"/api/v1/cases/{cid}/comments",
        json={"body": "Sorry, checking now", "version": case["version"]},
    )
    assert r.status_code == 200 and r.json()["first_responded_at"] is not None
    stale = case["version"]
    r = agent.post(f"/api/v1/cases/{cid}/comments", json={"body": "again", "version": stale})
    assert r.status_code == 409  # someone changed it since that version was read
    r = agent.post(
        f"/api/v1/cases/{cid}/comments", json={"body": "Courier says Friday", "internal": True}
    )
    assert r.status_code == 200
    r = agent.post(f"/api/v1/cases/{cid}/resolve", json={"code": "redelivered"})
    assert r.status_code == 200 and r.json()["status"] == "resolved"
    r = agent.post(f"/api/v1/cases/{cid}/resolve", json={"code": "redelivered"})
    assert r.status_code == 422  # already resolved
    kinds = [e["kind"] for e in web.api("viewer").get(f"/api/v1/cases/{cid}").json()["events"]]
    assert kinds[0] == "created" and "message" in kinds and "note" in kinds
    assert kinds[-1] == "status"
    assert web.api("viewer").get("/api/v1/cases").json() == []  # the queue holds open cases


def test_queue_orders_by_priority_then_lateness(sqlite_web):
    from datetime import timedelta

    web = sqlite_web
    c = new_customer(web)
    agent = web.api("agent")
    ids = [
        agent.post("/api/v1/cases", json={"customer_id": c, "subject": s}).json()["id"]
        for s in ("first", "second")
    ]
    web.clock.advance(timedelta(days=3))  # both now past their first-response target
    queue = web.api("viewer").get("/api/v1/cases").json()
    assert [q["id"] for q in queue] == ids  # same priority: the earlier due comes first
    assert all("first_response" in q["breached"] for q in queue)


def test_case_pages_work_with_forms(browser_clients, sqlite_web):
    c = new_customer(sqlite_web)
    agent = browser_clients["agent"]
    page = agent.get(f"/customers/{c}", headers={"accept": "text/html"})
    r = agent.post(
        "/cases",
        data={"customer_id": c, "subject": "Broken lid", "csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )
    assert r.status_code == 303
    case_url = r.headers["location"]
    page = agent.get(case_url, headers={"accept": "text/html"})
    assert "Broken lid" in page.text and 'id="form-resolve"' in page.text
    version = page.text.split('name="version" value="')[1].split('"')[0]
    r = agent.post(
        case_url + "/resolve",
        data={"code": "replaced", "version": version, "csrf_token": csrf_of(page.text)},
    )
    assert r.status_code == 200 and "resolved" in r.text
    viewer_page = browser_clients["viewer"].get(case_url, headers={"accept": "text/html"})
    assert 'id="form-' not in viewer_page.text  # a viewer only reads
    r = browser_clients["viewer"].post(
        case_url + "/reopen",
        data={"version": "1", "csrf_token": csrf_of(viewer_page.text)},
        headers={"accept": "text/html"},
    )
    assert r.status_code == 403


def make_survey(web, *, categories=("Service",)):
    from retain.voice import create_survey, invitation_link, invite

    customer = new_customer(web, "S1")
    store, now = web.store, web.clock.now
    survey = create_survey(
        store,
        "NPS spring",
        now=now,
        categories=categories,
        follow_up_question="What should we do better?",
        open_link=True,
    )
    made = invite(
        store, survey, now=now, secret=web.app.state.survey_secret, customer_ids=[customer]
    )
    return survey, customer, invitation_link("", made[0].token)


def test_public_response_page_needs_no_login_and_no_csrf(sqlite_web):
    survey, customer, link = make_survey(sqlite_web)
    assert link.startswith("/r/")
    anon = sqlite_web.client()
    page = anon.get(link)
    assert page.status_code == 200 and "recommend" in page.text
    assert 'name="score" value="10"' in page.text and "What should we do better?" in page.text
    r = anon.post(link, data={"score": "3", "comment": "The parcel came late", "cat_Service": "4"})
    assert r.status_code == 200 and "Thank you" in r.text
    answers = (
        sqlite_web.api("viewer")
        .get("/api/v1/feedback", params={"customer_id": customer})
        .json()["items"]
    )
    assert [(a["nps_score"], a["comment"]) for a in answers] == [(3, "The parcel came late")]
    cases = sqlite_web.api("viewer").get("/api/v1/cases").json()
    assert [c["customer_id"] for c in cases] == [customer]  # a detractor opens a case
    results = sqlite_web.api("viewer").get(f"/api/v1/surveys/{survey}/results").json()
    assert results["answers"] == 1 and results["overall"]["score"] == -100.0
    assert anon.get(link[:-3] + "xyz").status_code == 403  # tampered link


def test_public_page_is_rate_limited(sqlite_web):
    _survey, _customer, link = make_survey(sqlite_web)
    anon = sqlite_web.client()
    codes = [anon.get(link).status_code for _ in range(31)]
    assert codes[:30] == [200] * 30 and codes[30] == 429


def test_survey_pages(browser_clients, sqlite_web):
    survey, _customer, link = make_survey(sqlite_web)
    sqlite_web.client().post(link, data={"score": "9", "comment": "Great staff"})
    viewer = browser_clients["viewer"]
    page = viewer.get("/surveys", headers={"accept": "text/html"})
    assert "NPS spring" in page.text
    page = viewer.get(f"/surveys/{survey}", headers={"accept": "text/html"})
    assert page.status_code == 200 and "Great staff" in page.text and "100" in page.text
    assert login  # the clients are logged in by the fixture
