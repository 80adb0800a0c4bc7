"""Campaign list and report in the web app and /api/v1/campaigns, worked by hand.

Four prospects (no orders before), a CSV campaign drawn 20 days before the
clock with half held out: 2 treated, 2 control. Both treated and one control
member buy 5 days after the start.

repurchase: 2/2 against 1/2, lift +50 points. Wilson intervals (z = 1.96):
2/2 -> 0.3424..1, 1/2 -> 0.0945..0.9055. Newcombe: lower = 0.5 -
sqrt((1 - 0.3424)^2 + (0.9055 - 0.5)^2) = -0.2725, upper = 0.5 +
sqrt(0 + (0.5 - 0.0945)^2) = 0.9055: not distinguishable from zero.
Nobody was lapsed, so "returned" has no groups; nobody answered: response 0/2 against 0/2.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from tests.outreach.kit import NOW, Seed, cfg

from retain.outreach import create_campaign
from retain.store import outreach as db

from .conftest import login


@pytest.fixture
def campaign(web):
    web.clock.now = NOW
    seed = Seed(web.store)
    for k in range(1, 5):
        seed.customer(f"P{k}")
    made = create_campaign(
        web.store,
        name="spring",
        subject="Hello {{ first_name }}",
        body="Hi",
        audience={"customers": ["P1", "P2", "P3", "P4"]},
        channel="csv",
        now=NOW - timedelta(days=20),
        cfg=cfg(),
        control_share=0.5,
        seed=3,
    )
    arms = db.members(web.store, made["id"])
    treated = arms.loc[arms["arm"] == "treated", "customer_id"].astype(int).tolist()
    control = arms.loc[arms["arm"] == "control", "customer_id"].astype(int).tolist()
    assert len(treated) == 2 and len(control) == 2
    for cid in [*treated, control[0]]:
        seed.order(cid, 15)
    return made


def test_list_and_report_through_the_api(web, campaign):
    api = web.api("viewer")
    listed = api.get("/api/v1/campaigns").json()
    assert [(c["name"], c["channel"], c["treated"], c["control"], c["sent"]) for c in listed] == [
        ("spring", "csv", 2, 2, 0)
    ]
    report = api.get(f"/api/v1/campaigns/{campaign['id']}/report").json()
    assert report["complete"] is False  # 20 of the 30 days
    lifts = {row["outcome"]: row for row in report["lifts"]}
    buy = lifts["repurchase"]
    assert (buy["treated"], buy["treated_n"], buy["control"], buy["control_n"]) == (2, 2, 1, 2)
    assert buy["lift"] == pytest.approx(0.5)
    assert buy["lower"] == pytest.approx(-0.2725, abs=5e-4)
    assert buy["upper"] == pytest.approx(0.9055, abs=5e-4)
    assert buy["verdict"] == (
        "repurchase: lift +50.0 points (95% interval -27.3 to +90.5) "
        "is not distinguishable from zero"
    )
    assert lifts["returned"]["treated_n"] == 0 and lifts["returned"]["lift"] is None
    assert lifts["response"]["treated"] == 0 and lifts["response"]["lift"] == pytest.approx(0)
    assert report["summary"][2:] == [row["verdict"] for row in report["lifts"]]
    assert api.get("/api/v1/campaigns/999/report").status_code == 404


def test_pages_show_the_lift_and_the_verdict(web, campaign):
    c = web.client()
    login(c, "viewer")
    listing = c.get("/campaigns", headers={"accept": "text/html"})
    assert listing.status_code == 200
    assert f'<a href="/campaigns/{campaign["id"]}">spring</a>' in listing.text
    page = c.get(f"/campaigns/{campaign['id']}", headers={"accept": "text/html"})
    assert page.status_code == 200
    row = page.text[page.text.index('id="lift-repurchase"') :]
    row = row[: row.index("</tr>")]
    assert "2 / 2 (100.0%)" in row and "1 / 2 (50.0%)" in row
    assert "+50.0" in row and "-27.3 to +90.5" in row
    assert "is not distinguishable from zero" in row
    assert "window not over yet" in page.text
    assert "50% of the audience" in page.text
