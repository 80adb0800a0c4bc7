"""Browser test of the plan: an agent builds this week's plan and marks an action done.

Chromium through Playwright against the app under uvicorn (the launch helper
and fixtures of ``test_browser.py``); screenshots go with the others.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from .conftest import make_web
from .test_browser import LiveServer, log_in
from .test_browser import browser as browser
from .test_browser import pytestmark as pytestmark  # slow; skipped without Chromium
from .test_browser import shots as shots


@pytest.fixture
def live_plan(sqlite_store) -> Iterator[tuple[object, LiveServer, int]]:
    """A loyal customer of the agent's, 4 orders 30 days apart, the last 45 days ago."""
    web = make_web(sqlite_store)
    web.clock.now = datetime.now(UTC)  # real cookies expire by the real clock
    admin = web.api("admin")
    cid = admin.post(
        "/api/v1/customers",
        json={"external_id": "LOYAL", "name": "Lotte Loyal", "owner": "agent"},
    ).json()["id"]
    for k, days in enumerate((135, 105, 75, 45)):
        r = admin.post(
            "/api/v1/orders",
            json={
                "external_id": f"L{k}",
                "customer_id": cid,
                "amount_minor": 50_000,
                "currency": "EUR",
                "ordered_at": (web.clock.now - timedelta(days=days)).isoformat(),
            },
        )
        assert r.status_code == 201, r.text
    with LiveServer(web.app) as server:
        yield web, server, cid


def test_agent_builds_the_plan_and_marks_an_action_done(browser, live_plan, shots):
    web, server, cid = live_plan
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    log_in(page, server, "agent")
    page.click("header nav a[href='/plan']")
    page.wait_for_url(server.url + "/plan")
    assert "No plan has been built" in page.locator("#plan-empty").inner_text()
    page.click("#form-refresh button")
    page.wait_for_selector("#plan-table tbody tr[id^=action-]")
    row = page.locator("#plan-table tbody tr[id^=action-]")
    assert row.count() == 1
    assert "Lotte Loyal" in row.inner_text() and "loyal_lapsing" in row.inner_text()
    page.screenshot(path=shots / "plan.png", full_page=True)

    row.locator(".form-done input[name=outcome]").fill("called: orders again on Friday")
    row.locator(".form-done button").click()
    page.wait_for_selector("#plan-counts")
    assert "1 done" in page.locator("#plan-counts").inner_text()
    assert page.locator("#plan-table tbody tr[id^=action-]").count() == 0  # to do: none left
    page.select_option("select[name=status]", "done")
    page.click("#plan-filters button")
    done = page.locator("#plan-table tbody tr[id^=action-]")
    assert "called: orders again on Friday" in done.inner_text()
    page.screenshot(path=shots / "plan-done.png", full_page=True)

    touch = web.api("viewer").get("/api/v1/interactions", params={"customer_id": cid}).json()
    assert [(t["kind"], t["note"]) for t in touch["items"]] == [
        ("outreach:loyal_lapsing", "called: orders again on Friday")
    ]
    page.close()


def test_admin_defines_a_segment_and_opens_it(browser, live_plan, shots):
    _, server, _ = live_plan
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    log_in(page, server, "admin")
    page.click("header nav a[href='/segments']")
    page.wait_for_url(server.url + "/segments")
    page.fill("#segment-create input[name=name]", "loyal")
    page.fill("#segment-create input[name=expression]", "stage in (loyal")
    page.click("#segment-create button[type=submit]")
    assert "column 16" in page.locator("#segment-error").inner_text()
    page.fill("#segment-create input[name=expression]", "purchases >= 4")
    page.click("#segment-create button[type=submit]")
    page.wait_for_url(server.url + "/segments/loyal")
    assert page.locator("#kpi-size .value").inner_text() == "1"
    assert page.locator("#segment-customers").get_attribute("href") == "/customers?segment=loyal"
    page.screenshot(path=shots / "segment.png", full_page=True)
    page.click("text=all segments")
    assert "too small" in page.locator("#segments-table").inner_text()
    page.screenshot(path=shots / "segments.png", full_page=True)
    page.close()
