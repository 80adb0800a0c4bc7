"""The customer 360 page and API: stage and rule, stage history, CLV/P(alive), ring.

Hand-worked shop, the app's clock at 2026-03-02 (START of the web tests):

- Ada bought shoes on 2025-12-01, 2026-01-01 and 2026-02-01: the business's only
  gaps are her 31 and 31 days, so the learned gap (0.8 quantile over all gaps,
  shoes having fewer than 30) is 31 days. On 2026-03-02 she is 29 days past her
  last order with 3 purchase days: loyal.
- Bob bought once on 2025-06-01 and is 274 days past it: far beyond 4 x 31 = 124,
  inactive (win-back). Earlier, before anybody had bought twice, his gap was the
  default 90 days: new on 2025-06-30 (29 days), lapsed short-term on 2025-09-30
  (121 <= 180), long-term on 2025-11-30 (182) and 2025-12-31 (213); once Ada's
  first gap is learned (2026-01-31: 31 days) 244 > 124: inactive.
- Cy never bought but agreed to e-mail: a prospect in the audience ring; Dan is
  known from one outbound call only: a visitor.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pandas as pd
import pytest

from retain.store.clv import replace_scores

from .conftest import login


def _post(api, path, body):
    r = api.post(path, json=body)
    assert r.status_code == 201, r.text
    return r.json()


@pytest.fixture
def shop(web):
    admin = web.api("admin")
    ids = {}
    for ext, extra in (("ada", {}), ("bob", {}), ("cy", {"email_consent": True}), ("dan", {})):
        ids[ext] = _post(
            admin, "/api/v1/customers", {"external_id": ext, "name": ext.title(), **extra}
        )["id"]
    orders = [
        ("ada", "2025-12-01", 1000),
        ("ada", "2026-01-01", 3000),
        ("ada", "2026-02-01", 5000),
        ("bob", "2025-06-01", 2000),
    ]
    for n, (who, day, amount) in enumerate(orders):
        _post(
            admin,
            "/api/v1/orders",
            {
                "external_id": f"O{n}",
                "customer_id": ids[who],
                "amount_minor": amount,
                "currency": "EUR",
                "ordered_at": f"{day}T10:00:00Z",
                "product_category": "shoes",
            },
        )
    _post(
        admin,
        "/api/v1/interactions",
        {
            "external_id": "I1",
            "customer_id": ids["dan"],
            "occurred_at": "2026-01-05T10:00:00Z",
            "channel": "phone",
        },
    )
    return web, ids


def test_stage_rule_and_ring(shop):
    web, ids = shop
    api = web.api("viewer")
    ada = api.get(f"/api/v1/customers/{ids['ada']}").json()
    life = ada["lifecycle"]
    assert life["as_of"] == "2026-03-02"
    assert (life["stage"], life["substage"], life["purchases"]) == ("loyal", "", 3)
    assert (life["days_since_last_order"], life["expected_gap_days"]) == (29, 31)
    assert life["gap_source"] == "all"
    assert life["rule"][-1] == (
        "rule: 29 <= 31 days (not lapsed) and at least loyal_purchases = 3 purchases"
    )
    assert ada["ring"]["ring"] == "community" and ada["ring"]["facts"] == ["loyal"]
    bob = api.get(f"/api/v1/customers/{ids['bob']}").json()
    assert (bob["lifecycle"]["stage"], bob["lifecycle"]["substage"]) == ("inactive", "win_back")
    assert bob["lifecycle"]["days_since_last_order"] == 274
    assert bob["lifecycle"]["rule"][-2] == "rule: 274 days > inactive_multiple x gap = 124"
    assert bob["ring"]["ring"] == "customer"
    cy = api.get(f"/api/v1/customers/{ids['cy']}").json()
    assert cy["lifecycle"]["stage"] == "prospect"
    assert cy["ring"] == {
        "ring": "audience",
        "why": "subscribed (e-mail consent) or engaged (an inbound touchpoint or feedback)",
        "facts": ["subscribed"],
    }
    dan = api.get(f"/api/v1/customers/{ids['dan']}").json()
    assert dan["ring"]["ring"] == "visitor"


def test_stage_history_at_month_ends(shop):
    web, ids = shop
    api = web.api("viewer")
    history = api.get(f"/api/v1/customers/{ids['bob']}").json()["stage_history"]
    assert len(history) == 24
    assert history[0]["as_of"] == "2024-04-30" and history[-1]["as_of"] == "2026-03-02"
    by_day = {h["as_of"]: (h["stage"], h["substage"]) for h in history}
    assert by_day["2025-05-31"] == ("unknown", "")  # not known before his first order
    assert by_day["2025-06-30"] == ("new", "")
    assert by_day["2025-09-30"] == ("lapsed", "short_term")
    assert by_day["2025-11-30"] == ("lapsed", "long_term")
    assert by_day["2025-12-31"] == ("lapsed", "long_term")
    assert by_day["2026-01-31"] == ("inactive", "win_back")
    ada = api.get(f"/api/v1/customers/{ids['ada']}").json()["stage_history"]
    stages = [(h["as_of"], h["stage"]) for h in ada[-4:]]
    assert stages == [
        ("2025-12-31", "new"),  # 30 days <= the default 90
        ("2026-01-31", "active"),  # 30 days <= her first gap, 31
        ("2026-02-28", "loyal"),
        ("2026-03-02", "loyal"),
    ]


def _store_scores(store, ids):
    fit = {
        "model": "bgnbd",
        "model_version": "bgnbd-v1-20260215-test",
        "as_of": date(2026, 2, 15),
        "horizon_months": 12,
        "discount_rate": 0.1,
        "currency": "EUR",
        "params": {"purchases": {"r": 1.0, "alpha": 2.0, "a": 0.5, "b": 3.0}},
        "model_json": "{}",
        "spend_json": None,
        "log_likelihood": -12.5,
        "customers": 2,
        "repeat_buyers": 1,
        "trust_level": "low",
        "trust_message": "few repeat buyers",
        "fitted_at": datetime(2026, 2, 16, 8, 0, tzinfo=UTC),
    }
    scores = pd.DataFrame(
        {
            "customer_id": [ids["ada"]],
            "p_alive": [0.875],
            "expected_purchases": [2.5],
            "expected_spend_minor": [4100],
            "clv_minor": [9876],
        }
    )
    replace_scores(store, fit, scores)


def test_value_from_the_stored_scores(shop):
    web, ids = shop
    api = web.api("viewer")
    before = api.get(f"/api/v1/customers/{ids['ada']}").json()["value"]
    assert before["available"] is False
    assert "run `retain clv score`" in before["reason"]
    _store_scores(web.store, ids)
    value = api.get(f"/api/v1/customers/{ids['ada']}").json()["value"]
    assert value["available"] is True
    assert (value["p_alive"], value["clv_minor"], value["expected_spend_minor"]) == (
        0.875,
        9876,
        4100,
    )
    assert (value["model"], value["as_of"], value["horizon_months"]) == ("bgnbd", "2026-02-15", 12)
    # drivers as of the fit's day: repeat days 2, 62 days first to last, 76 days old,
    # mean repeat value (3000 + 5000) / 2
    assert (value["frequency"], value["recency"], value["T"]) == (2, 62, 76)
    assert value["monetary_value"] == 4000.0
    bob = api.get(f"/api/v1/customers/{ids['bob']}").json()["value"]
    assert bob["available"] is False and "do not cover" in bob["reason"]


def test_page_shows_stage_value_and_history_chart(shop):
    web, ids = shop
    _store_scores(web.store, ids)
    c = web.client()
    login(c, "viewer")
    page = c.get(f"/customers/{ids['ada']}", headers={"accept": "text/html"}).text
    assert 'class="badge stage-loyal">loyal<' in page
    assert "29 &lt;= 31 days (not lapsed)" in page
    assert "€98.76" in page and "88 %" in page  # CLV and P(alive)
    assert "2 repeat purchase days (frequency)" in page
    assert 'id="stage-history-spec"' in page and "2026-02-28" in page
    bob = c.get(f"/customers/{ids['bob']}", headers={"accept": "text/html"}).text
    assert "do not cover this customer" in bob


def test_gaps_are_learned_once_per_ttl(shop):
    """The learned gaps (the whole-store part) are kept per app; the customer's own
    orders are read on every request."""
    web, ids = shop
    api = web.api("viewer")
    api.get(f"/api/v1/customers/{ids['bob']}")
    cache = web.app.state.customer_gaps
    first = cache._value
    _post(
        web.api("admin"),
        "/api/v1/orders",
        {
            "external_id": "O-new",
            "customer_id": ids["bob"],
            "amount_minor": 100,
            "currency": "EUR",
            "ordered_at": "2026-03-01T10:00:00Z",
        },
    )
    bob = api.get(f"/api/v1/customers/{ids['bob']}").json()
    assert cache._value is first  # same gaps ...
    assert bob["lifecycle"]["stage"] == "active"  # ... his new order counted at once


def test_a_store_without_orders(web):
    """No order anywhere: no learned gap, every month end a prospect once he is known."""
    admin = web.api("admin")
    made = _post(admin, "/api/v1/customers", {"external_id": "solo"})
    view = web.api("viewer").get(f"/api/v1/customers/{made['id']}").json()
    assert view["lifecycle"]["stage"] == "prospect"
    assert view["lifecycle"]["rule"] == [
        "stage as of 2026-03-02: prospect",
        "rule: known, no purchase up to as_of",
    ]
    # known from the start (no first_seen_at, no order): a prospect at every month end
    assert {h["stage"] for h in view["stage_history"]} == {"prospect"}
    assert view["ring"]["ring"] == "visitor"
    assert view["value"]["available"] is False
