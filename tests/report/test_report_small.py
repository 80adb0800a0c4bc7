"""The report of a shop of three customers, worked out by hand; missing parts say why."""

from __future__ import annotations

from datetime import date

import pytest

from retain.config import Settings
from retain.ingest import import_file
from retain.report import build_report, render_html, render_markdown
from retain.store import open_store

AS_OF = date(2026, 6, 30)
#: A: three purchases three months apart, the last on 1 Feb (149 days before AS_OF, more
#: than the 92-day gap): lapsed, and loyal by his three purchases. B: one purchase, new.
#: C: bought in March and June: active. Every order 100.00 (A), 50.00 (B), 80.00 (C).
ORDERS = """order_id,customer_id,ordered_at,amount
A1,A,2025-08-01,100.00
A2,A,2025-11-01,100.00
A3,A,2026-02-01,100.00
B1,B,2026-06-01,50.00
C1,C,2026-03-01,80.00
C2,C,2026-06-01,80.00
"""


@pytest.fixture(scope="module")
def small_report(tmp_path_factory):
    folder = tmp_path_factory.mktemp("report-small")
    path = folder / "orders.csv"
    path.write_text(ORDERS, encoding="utf-8")
    store = open_store(f"sqlite:///{folder / 'retain.db'}")
    try:
        import_file(store, "orders", path, settings=Settings(currency="EUR"))
        return build_report(store, AS_OF, Settings(currency="EUR"))
    finally:
        store.dispose()


def test_figures_worked_out_by_hand(small_report):
    stages = {
        (r["stage"], r["substage"]): r["customers"]
        for r in small_report.section("stages").data["rows"]
    }
    assert stages == {("new", ""): 1, ("active", ""): 1, ("lapsed", "short_term"): 1}
    # A: 300.00 over 184 days from first to last order, counted as one year at least
    assert small_report.section("revenue_at_risk").data == {
        "customers": 1,
        "yearly_minor": 30000,
        "currency": "EUR",
        "loyal_purchases": 3,
    }
    # A and C bought on two days or more, B on one
    assert small_report.section("repeat_purchase_rate").data["rate"] == pytest.approx(2 / 3)
    # 30 June is the last day of June: June is complete. Its buyers B (new) and C (back
    # after March): half of them had bought before. The month with buyers before: March.
    returning = small_report.section("returning_rate").data
    assert (returning["month"], returning["buyers"], returning["rate"]) == ("2026-06", 2, 0.5)
    assert (returning["previous_month"], returning["previous_rate"]) == ("2026-03", 0.0)


def test_missing_parts_say_why_and_the_page_still_renders(small_report, tmp_path):
    assert small_report.section("nps").reason == "no survey answers yet"
    assert small_report.section("themes").reason == "no recurring themes"
    assert small_report.section("nps").data is None
    assert small_report.section("clv").reason.startswith("not available yet")
    assert small_report.section("cases").data["open"] == 0
    assert "nps" not in small_report.charts
    html = render_html(small_report)
    assert "What customers say (NPS): no survey answers yet" in html
    assert html.count("<svg") == 2  # stages and cohorts, no NPS trend
    assert "300 EUR" in html  # revenue at risk, in whole euros
    text = render_markdown(small_report, tmp_path)
    assert "> What customers say (NPS): no survey answers yet" in text


def test_same_figures_on_each_database(store, tmp_path):
    """The report of the three-customer shop on SQLite and on PostgreSQL (where the
    analytics run on the server)."""
    path = tmp_path / "orders.csv"
    path.write_text(ORDERS, encoding="utf-8")
    import_file(store, "orders", path, settings=Settings(currency="EUR"))
    report = build_report(store, AS_OF, Settings(currency="EUR"))
    assert [r["customers"] for r in report.section("stages").data["rows"]] == [1, 1, 1]
    assert report.section("revenue_at_risk").data["yearly_minor"] == 30000
    assert report.section("returning_rate").data["rate"] == 0.5
    assert report.section("repeat_purchase_rate").data["rate"] == pytest.approx(2 / 3)
