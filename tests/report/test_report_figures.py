"""The report's figures are the capabilities' own: checked against direct calls on the demo."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from retain import analytics, voice
from retain.config import Settings
from retain.report import DEFINITIONS, build_report
from retain.report.life_cycle import rows
from retain.report.render import money, pct, points
from retain.store.frames import analytics_tables

AS_OF = date(2026, 11, 1)

SECTIONS = {
    "stages",
    "revenue_at_risk",
    "flows",
    "returning_rate",
    "repeat_purchase_rate",
    "cohorts",
    "nps",
    "themes",
    "cases",
    "outreach",
    "clv",
}


@pytest.fixture(scope="module")
def report(demo_store):
    return build_report(demo_store, AS_OF, Settings())


def test_every_section_is_there_with_a_definition(report):
    assert set(report.sections) == SECTIONS
    for name, section in report.sections.items():
        assert section.definition == DEFINITIONS[name]
        assert section.available == (section.reason is None)


def test_stage_counts_are_those_of_stage_counts(report, demo_store):
    with analytics_tables(demo_store) as tables:
        stages = analytics.customer_stages(
            tables["orders"], AS_OF, tables["customers"], analytics.lifecycle_settings({})
        )
    expected = rows(analytics.stage_counts(stages))
    assert report.section("stages").data["rows"] == expected
    assert sum(r["customers"] for r in expected) == 1500


def test_flows_and_rates_are_those_of_the_analytics(report, demo_store):
    with analytics_tables(demo_store) as tables:
        orders, people = tables["orders"], tables["customers"]
        flows = analytics.stage_flows(orders, "2026-10-02", AS_OF, people)
        rate = analytics.repeat_purchase_rate(orders, AS_OF)
        months = analytics.retention_intervals(orders, AS_OF, "month")
    moved = flows[flows.from_stage != flows.to_stage]
    got = report.section("flows").data
    assert (got["from"], got["to"]) == ("2026-10-02", "2026-11-01")
    assert sum(r["customers"] for r in got["rows"]) == int(moved.customers.sum()) > 0
    assert report.section("repeat_purchase_rate").data["rate"] == pytest.approx(rate)
    # 1 November: the last complete month is October
    october = months[months.period == "2026-10"].iloc[0]
    returning = report.section("returning_rate").data
    assert returning["month"] == "2026-10" and returning["previous_month"] == "2026-09"
    assert returning["rate"] == pytest.approx(october.returning_rate)
    assert returning["buyers"] == october.active


def test_nps_is_voice_nps_of_the_latest_period_against_the_one_before(report, demo_store):
    answers = voice.load_answers(demo_store, voice.Scope(kind="nps"))
    when = pd.to_datetime(answers["responded_at"], utc=True)
    got = report.section("nps").data
    # the demo surveys once a year, in the first quarter
    assert got["period"] == "2026Q1" and got["baseline"]["period"] == "2025Q1"
    latest = answers.loc[when.dt.year.eq(2026) & when.dt.quarter.eq(1), "nps_score"]
    before = answers.loc[when.dt.year.eq(2025) & when.dt.quarter.eq(1), "nps_score"]
    expected = voice.nps(latest.astype(int))
    assert got["score"] == pytest.approx(expected.score)
    assert got["margin_of_error"] == pytest.approx(expected.margin_of_error)
    assert (got["n"], got["promoters"], got["detractors"]) == (
        expected.n,
        expected.promoters,
        expected.detractors,
    )
    change = voice.compare(latest.astype(int), before.astype(int))
    assert got["baseline"]["difference"] == pytest.approx(change.difference)
    assert got["baseline"]["significant"] is change.significant
    assert [t["group"] for t in got["trend"]] == ["2024Q1", "2025Q1", "2026Q1"]


def test_themes_cases_and_outreach(report):
    themes = report.section("themes").data["rows"]
    assert 0 < len(themes) <= 5
    drags = [t["nps_drag"] for t in themes]
    assert drags == sorted(drags)  # worst first
    cases = report.section("cases").data
    assert cases["open"] > 0  # the fixture opened a case per detractor
    assert 0 <= cases["late"] <= cases["open"]
    assert {r["target"] for r in cases["sla"]} == {"first_response", "resolution"}
    actions = report.section("outreach").data["rows"]
    assert 0 < len(actions) <= 10
    scores = [a["score"] for a in actions]
    assert scores == sorted(scores, reverse=True)
    assert all(a["reason"] for a in actions)


def test_revenue_at_risk_counts_lapsed_loyal_customers(report):
    risk = report.section("revenue_at_risk").data
    lapsed = sum(
        r["customers"] for r in report.section("stages").data["rows"] if r["stage"] == "lapsed"
    )
    assert 0 < risk["customers"] <= lapsed
    assert risk["yearly_minor"] > 0 and risk["loyal_purchases"] == 3


def test_clv_is_stored_scores_or_says_not_available(report):
    clv = report.section("clv")
    if not clv.available:
        assert clv.reason.startswith("not available yet")
        assert clv.data is None


def test_the_report_saves_no_outreach_action(report, demo_store):
    from retain.store import outreach as db

    assert report.section("outreach").data["cycle"] == "2026-W44"
    assert db.actions(demo_store, cycle="2026-W44") == []  # computed, not saved


@pytest.mark.parametrize(
    ("value", "text"), [(0.4213, "42.1%"), (None, "-"), (float("nan"), "-"), (1, "100.0%")]
)
def test_pct(value, text):
    assert pct(value) == text


def test_points_and_money():
    assert points(9.56, signed=True) == "+9.6"
    assert points(-3.04) == "-3.0"
    assert money(4257827, "EUR") == "42,578 EUR"
