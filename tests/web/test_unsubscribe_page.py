"""The unsubscribe link of outreach messages, end to end through the web app."""

from __future__ import annotations

from retain.outreach import link_secret, unsubscribe_token


def test_unsubscribe_link_withdraws_consent(web):
    admin = web.api("admin")
    made = admin.post(
        "/api/v1/customers",
        json={"external_id": "U1", "email": "ursula@example.com", "email_consent": True},
    )
    assert made.status_code in (200, 201), made.text
    customer = made.json()["id"]
    secret = link_secret(web.store, web.clock.now)
    token = unsubscribe_token(customer, "ursula@example.com", None, secret=secret)
    visitor = web.client()  # no login, no cookie, no CSRF token

    page = visitor.get(f"/outreach/unsubscribe/{token}")
    assert page.status_code == 200
    assert "Stop e-mails to ursula@example.com?" in page.text
    assert admin.get(f"/api/v1/customers/{customer}").json()["customer"]["email_consent"] is True

    done = visitor.post(f"/outreach/unsubscribe/{token}", data={"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200 and "You are unsubscribed" in done.text
    assert admin.get(f"/api/v1/customers/{customer}").json()["customer"]["email_consent"] is False
    again = visitor.post(f"/outreach/unsubscribe/{token}")
    assert again.status_code == 200  # twice changes nothing


def test_forged_unsubscribe_link_is_refused(web):
    visitor = web.client()
    for method in (visitor.get, visitor.post):
        answer = method("/outreach/unsubscribe/not-a-real-token")
        assert answer.status_code == 403
        assert answer.headers["content-type"].startswith(("application/problem+json", "text/html"))
