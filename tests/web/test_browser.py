"""Browser tests: Playwright drives Debian's Chromium against a live server.

The app runs under uvicorn in a thread on a free loopback port; screenshots
of each page go to the test's output folder (``RETAIN_TEST_OUTPUT`` or the
pytest temporary folder).
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from .conftest import PASSWORD, make_web

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium (apt)"),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    """The app under uvicorn in a background thread."""

    def __init__(self, app) -> None:
        import uvicorn

        self.port = free_port()
        config = uvicorn.Config(
            app,
            host="127.0.0.1",
            port=self.port,
            log_level="warning",
            access_log=False,
            lifespan="off",
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield launched
        launched.close()


@pytest.fixture
def shots(request, tmp_path) -> Path:
    """Where this test's screenshots go."""
    root = os.environ.get("RETAIN_TEST_OUTPUT")
    folder = Path(root) / "screenshots" / request.node.name if root else tmp_path / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def live(sqlite_store) -> Iterator[tuple[object, LiveServer]]:
    web = make_web(sqlite_store)
    web.clock.now = datetime.now(UTC)  # real cookies expire by the real clock
    admin = web.api("admin")
    for i, (name, country) in enumerate(
        [("Ada Lovelace", "GB"), ("Bob Builder", "DE"), ("Cy Twombly", "US")], start=1
    ):
        c = admin.post(
            "/api/v1/customers", json={"external_id": f"C{i}", "name": name, "country": country}
        ).json()
        admin.post(
            "/api/v1/orders",
            json={
                "external_id": f"O{i}",
                "customer_id": c["id"],
                "amount_minor": 1000 * i,
                "currency": "EUR",
                "ordered_at": f"2025-0{i}-01T10:00:00Z",
                "product_category": "shoes",
            },
        )
    for n, score in enumerate((10, 9, 6, 8)):
        admin.post(
            "/api/v1/feedback",
            json={
                "external_id": f"F{n}",
                "score": score,
                "responded_at": (web.clock.now - timedelta(days=40 * n)).isoformat(),
            },
        )
    with LiveServer(web.app) as server:
        yield web, server


def log_in(page, server: LiveServer, username: str) -> None:
    page.goto(server.url + "/")
    assert "/login" in page.url
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(server.url + "/")


def test_log_in_and_open_a_customer_from_the_list(browser, live, shots):
    _, server = live
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(server.url + "/login")
    page.screenshot(path=shots / "login.png")
    log_in(page, server, "viewer")
    assert page.locator("header .who").inner_text().startswith("Viewer")
    page.screenshot(path=shots / "dashboard.png", full_page=True)
    page.click("nav >> text=Customers")
    page.fill("input[name=q]", "lovelace")
    page.click("form.filters button[type=submit]")
    rows = page.locator("table.customers tbody tr")
    assert rows.count() == 1
    page.screenshot(path=shots / "customers.png", full_page=True)
    page.click("text=Ada Lovelace")
    page.wait_for_selector("ol.timeline li.order")
    assert page.locator("h1").inner_text().startswith("Ada Lovelace")
    assert "€10.00" in page.locator("ol.timeline").inner_text()
    assert page.locator("#lifecycle .badge").first.inner_text() == "inactive"  # one order, 2025
    page.wait_for_selector("#chart-stage-history[data-state=drawn] svg")
    # one tick per month end: 24 marks of the stage-history chart
    assert page.locator("#chart-stage-history svg g.mark-rect.role-mark path").count() == 24
    page.screenshot(path=shots / "customer360.png", full_page=True)
    page.click("header .logout button")
    page.wait_for_url("**/login")
    page.goto(server.url + "/customers")
    assert "/login?next=%2Fcustomers" in page.url
    page.close()


def test_wrong_password_shows_an_error(browser, live, shots):
    _, server = live
    page = browser.new_page()
    page.goto(server.url + "/login")
    page.fill("input[name=username]", "viewer")
    page.fill("input[name=password]", "not the password")
    page.click("button[type=submit]")
    assert "wrong username or password" in page.locator(".error").inner_text()
    page.screenshot(path=shots / "login-error.png")
    page.close()


def test_dashboard_charts_render_with_marks(browser, live, shots):
    _, server = live
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    log_in(page, server, "viewer")
    page.wait_for_selector("body[data-dashboard=ready]", timeout=60_000)
    for chart in ("stages", "flows", "cohorts", "nps"):
        box = page.locator(f"#chart-{chart}")
        assert box.get_attribute("data-state") == "drawn", chart
        marks = box.locator(
            "svg g.mark-rect path, svg g.mark-line path, svg g.mark-area path, "
            "svg g.mark-symbol path, svg g.mark-rule line"
        )
        assert marks.count() > 0, chart
    assert page.locator("#kpi-returning .value").inner_text() == "0.0 %"  # one order each
    page.screenshot(path=shots / "dashboard.png", full_page=True)
    page.close()


def test_work_a_case_from_open_to_resolved(browser, live, shots):
    web, server = live
    customer = web.api("admin").get("/api/v1/customers", params={"q": "Bob"}).json()["items"][0]
    web.api("admin").post(
        "/api/v1/cases", json={"customer_id": customer["id"], "subject": "Wrong size delivered"}
    )
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    log_in(page, server, "agent")
    page.click("nav >> text=Cases")
    page.screenshot(path=shots / "cases-queue.png", full_page=True)
    page.click("text=Wrong size delivered")
    assert page.locator("#case-status").inner_text() == "open"
    page.fill("#form-comment textarea[name=body]", "Sorry! A new pair is on its way.")
    page.click("#form-comment button")
    page.wait_for_selector("#audit li.message")
    page.fill("#form-comment textarea[name=body]", "Courier ref 123")
    page.check("#form-comment input[name=internal]")
    page.click("#form-comment button")
    page.wait_for_selector("#audit li.internal")
    page.fill("#form-resolve input[name=code]", "replaced")
    page.click("#form-resolve button")
    page.wait_for_selector("#form-reopen")
    assert page.locator("#case-status").inner_text() == "resolved"
    assert "replaced" in page.locator("#audit").inner_text()
    page.screenshot(path=shots / "case-resolved.png", full_page=True)
    page.close()


def test_answer_a_survey_on_a_phone(browser, live, shots):
    from retain.voice import create_survey, invitation_link, invite

    web, server = live
    customer = web.api("admin").get("/api/v1/customers", params={"q": "Cy"}).json()["items"][0]
    survey = create_survey(web.store, "Phone NPS", now=web.clock.now, categories=["Service"])
    made = invite(
        web.store,
        survey,
        now=web.clock.now,
        secret=web.app.state.survey_secret,
        customer_ids=[customer["id"]],
    )
    phone = browser.new_context(
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
    )
    page = phone.new_page()
    page.goto(invitation_link(server.url, made[0].token))
    assert page.locator("header.top").count() == 0  # no login, no navigation
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390  # nothing wider than the phone
    page.screenshot(path=shots / "survey-phone.png", full_page=True)
    page.tap("label:has(input[name=score][value='9']) span")
    page.select_option("select[name=cat_Service]", "10")
    page.fill("textarea[name=comment]", "Friendly and quick")
    page.tap("button[type=submit]")
    page.wait_for_selector("#thanks")
    page.screenshot(path=shots / "survey-thanks.png", full_page=True)
    answers = (
        web.api("viewer")
        .get("/api/v1/feedback", params={"customer_id": customer["id"]})
        .json()["items"]
    )
    assert [(a["nps_score"], a["comment"]) for a in answers] == [(9, "Friendly and quick")]
    phone.close()
