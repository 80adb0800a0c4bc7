"""Logging in and out through the pages: cookies, CSRF, rate limits, expiry."""

from __future__ import annotations

from datetime import timedelta

from retain.web import WebSettings

from .conftest import PASSWORD, csrf_of, login, make_web


def test_login_sets_a_strict_session_cookie_and_logout_ends_it(sqlite_web):
    c = sqlite_web.client()
    assert (
        c.get("/", headers={"accept": "text/html"}, follow_redirects=False).headers["location"]
        == "/login?next=%2F"
    )
    r = login(c, "agent")
    assert r.status_code == 303 and r.headers["location"] == "/"
    cookie = next(h for h in r.headers.get_list("set-cookie") if h.startswith("retain_session="))
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" not in cookie
    assert c.get("/api/v1/me").json()["username"] == "agent"
    stolen = c.cookies.get("retain_session")
    page = c.get("/", headers={"accept": "text/html"})
    assert "Agent" in page.text
    r = c.post("/logout", data={"csrf_token": csrf_of(page.text)}, follow_redirects=False)
    assert r.status_code == 303
    other = sqlite_web.client(cookies={"retain_session": stolen})
    assert other.get("/api/v1/me").status_code == 401  # revoked on the server, not just deleted


def test_cookie_is_secure_behind_a_trusted_https_proxy(sqlite_store):
    web = make_web(sqlite_store, WebSettings(secret_key="s", trusted_proxies="*"))
    c = web.client()
    page = c.get("/login", headers={"x-forwarded-proto": "https"})
    assert "Secure" in page.headers["set-cookie"]
    # httpx keeps Secure cookies off plain http, so hand the pre-session cookie back
    pre = page.headers["set-cookie"].split(";")[0]
    r = c.post(
        "/login",
        headers={"x-forwarded-proto": "https", "cookie": pre},
        data={"username": "viewer", "password": PASSWORD, "csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )
    assert r.status_code == 303
    cookie = next(h for h in r.headers.get_list("set-cookie") if h.startswith("retain_session="))
    assert "Secure" in cookie


def test_untrusted_proxy_header_is_ignored(sqlite_web):
    c = sqlite_web.client()
    page = c.get("/login", headers={"x-forwarded-proto": "https"})
    assert "Secure" not in page.headers["set-cookie"]  # the test client is not a trusted proxy


def test_forms_need_the_csrf_token(sqlite_web):
    c = sqlite_web.client()
    c.get("/login")
    r = c.post("/login", data={"username": "admin", "password": PASSWORD})
    assert r.status_code == 403
    r = c.post("/login", data={"username": "admin", "password": PASSWORD, "csrf_token": "x" * 64})
    assert r.status_code == 403
    assert login(c, "admin").status_code == 303
    # with the session cookie, state-changing API calls need the header too
    assert c.post("/api/v1/tokens", json={"name": "t"}).status_code == 403
    token = csrf_of(c.get("/", headers={"accept": "text/html"}).text)
    r = c.post("/api/v1/tokens", json={"name": "t"}, headers={"x-csrf-token": token})
    assert r.status_code == 201
    # a bearer token carries no ambient authority, so no CSRF token is needed
    assert sqlite_web.api("admin").post("/api/v1/tokens", json={"name": "t"}).status_code == 201


def test_login_without_the_form_page_is_refused(sqlite_web):
    r = sqlite_web.client().post("/login", data={"username": "admin", "password": PASSWORD})
    assert r.status_code == 403


def test_failed_logins_are_rate_limited_per_user(sqlite_web):
    c = sqlite_web.client()
    for _ in range(5):
        assert login(c, "viewer", "wrong password!").status_code == 401
    r = login(c, "viewer")  # right password, but locked for now
    assert r.status_code == 429 and int(r.headers["retry-after"]) > 0
    assert "too many" in r.text
    sqlite_web.clock.advance(timedelta(minutes=5, seconds=1))
    assert login(c, "viewer").status_code == 303


def test_rate_limit_by_address_covers_many_usernames(sqlite_web):
    c = sqlite_web.client()
    for i in range(20):
        assert login(c, f"user{i}", "wrong password!").status_code == 401
    assert login(c, "admin").status_code == 429


def test_session_expires_when_idle(sqlite_web):
    c = sqlite_web.client()
    login(c, "viewer")
    sqlite_web.clock.advance(timedelta(minutes=119))
    assert c.get("/api/v1/me").status_code == 200
    sqlite_web.clock.advance(timedelta(minutes=121))
    assert c.get("/api/v1/me").status_code == 401


def test_login_redirects_only_to_local_paths(sqlite_web):
    c = sqlite_web.client()
    page = c.get("/login?next=//evil.example/x")
    r = c.post(
        "/login",
        data={
            "username": "viewer",
            "password": PASSWORD,
            "csrf_token": csrf_of(page.text),
            "next": "https://evil.example/",
        },
        follow_redirects=False,
    )
    assert r.headers["location"] == "/"
