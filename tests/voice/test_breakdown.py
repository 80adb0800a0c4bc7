"""NPS and CSAT by period, category, segment, stage and product, with a baseline."""

from __future__ import annotations

import pandas as pd
import pytest

from retain.errors import InvalidInputError, MissingColumnsError
from retain.voice import csat_table, grouped_scores, nps_table, period_bounds


def _answers(rows):
    frame = pd.DataFrame(rows, columns=["customer_id", "nps_score", "responded_at", "category"])
    frame["responded_at"] = pd.to_datetime(frame["responded_at"], utc=True)
    return frame


ANSWERS = _answers(
    [
        (1, 10, "2025-01-05", "Service"),
        (2, 9, "2025-01-20", "Service"),
        (3, 3, "2025-02-01", "Product"),
        (4, 8, "2025-02-11", None),
        (5, 10, "2026-01-03", "Product"),
        (6, 0, "2026-01-04", "Product"),
    ]
)


def test_by_month_counts_and_scores():
    t = nps_table(ANSWERS, "month", min_n=1)
    assert list(t["group"]) == ["2025-01", "2025-02", "2026-01"]
    assert list(t["n"]) == [2, 2, 2]
    assert list(t["score"]) == [100.0, -50.0, 0.0]
    assert t["warning"].isna().all()


def test_by_quarter_and_year_labels():
    assert list(nps_table(ANSWERS, "quarter")["group"]) == ["2025Q1", "2026Q1"]
    years = nps_table(ANSWERS, "year")
    assert list(years["group"]) == ["2025", "2026"]
    # 2025: 2 promoters, 1 passive, 1 detractor of 4 -> 25
    assert years.loc[0, "score"] == 25 and years.loc[0, "n"] == 4
    assert "below the minimum of 30" in years.loc[0, "warning"]


def test_baseline_columns_and_values():
    t = nps_table(ANSWERS, "year", baseline="2025", min_n=1)
    row = t.set_index("group").loc["2026"]
    # 2026: NPS 0 (n 2) against 2025: NPS 25 (n 4)
    assert row["baseline_score"] == 25 and row["baseline_n"] == 4
    assert row["difference"] == pytest.approx(-25)
    assert row["difference_low"] < -25 < row["difference_high"]
    assert not row["significant"] and 0 < row["p_value"] <= 1
    same = t.set_index("group").loc["2025"]
    assert same["difference"] == 0 and same["p_value"] == 1


def test_by_category_uses_categories_and_sub_scores():
    frame = ANSWERS.copy()
    frame["category_scores"] = [None, {"Delivery": 2}, None, {"Delivery": 9}, None, None]
    frame["score_min"], frame["score_max"] = 0, 10
    t = nps_table(frame, "category").set_index("group")
    assert t.loc["Service", "n"] == 2 and t.loc["Product", "n"] == 3
    assert t.loc["Delivery", "n"] == 2 and t.loc["Delivery", "score"] == 0


def test_by_segment_with_unknown_customers():
    t = nps_table(ANSWERS, "segment", segments={1: "retail", 2: "retail", 3: "b2b"})
    assert list(t["group"]) == ["b2b", "retail", "(none)"]
    assert list(t["n"]) == [1, 2, 3]
    with pytest.raises(InvalidInputError, match="--segments"):
        nps_table(ANSWERS, "segment")


def test_by_stage_from_a_table():
    stages = pd.DataFrame({"customer_id": [1, 2, 3, 4, 5, 6], "stage": ["loyal"] * 3 + ["new"] * 3})
    t = nps_table(ANSWERS, "stage", stages=stages).set_index("group")
    assert t.loc["loyal", "score"] == pytest.approx(100 / 3)
    assert t.loc["new", "score"] == 0


def test_by_product_is_the_last_order_before_the_answer():
    orders = pd.DataFrame(
        {
            "customer_id": [1, 1, 3, 5],
            "ordered_at": pd.to_datetime(
                ["2024-12-01", "2025-02-01", "2025-01-15", "2026-02-01"], utc=True
            ),
            "product_category": ["shoes", "boots", "bags", "shoes"],
        }
    )
    g = grouped_scores(ANSWERS, "product", orders=orders)
    # customer 1 answered on 2025-01-05: his last order before was shoes (boots came later)
    assert list(g["group"]) == ["shoes", "(none)", "bags", "(none)", "(none)", "(none)"]


def test_period_bounds():
    start, end = period_bounds("2025Q2")
    assert (start.isoformat(), end.isoformat()) == (
        "2025-04-01T00:00:00+00:00",
        "2025-07-01T00:00:00+00:00",
    )
    assert period_bounds("2025-Q2") == (start, end)
    assert period_bounds("2025-02")[1].isoformat() == "2025-03-01T00:00:00+00:00"
    a, b = period_bounds("2025-01-01..2025-01-31")
    assert (a.day, b.month, b.day) == (1, 2, 1)
    for bad in ("last year", "2025-13", "2025Q5", "2025-02-01..2025-01-01"):
        with pytest.raises(InvalidInputError, match="cannot read the period"):
            period_bounds(bad)


def test_errors_name_what_is_missing():
    with pytest.raises(MissingColumnsError, match="'nps_score'"):
        nps_table(pd.DataFrame({"responded_at": []}))
    with pytest.raises(InvalidInputError, match="no answers"):
        nps_table(ANSWERS.iloc[0:0])
    with pytest.raises(InvalidInputError, match="no answers in the baseline"):
        nps_table(ANSWERS, "year", baseline="2019")
    with pytest.raises(InvalidInputError, match="cannot group by"):
        nps_table(ANSWERS, "weekday")


def test_csat_table():
    frame = ANSWERS.assign(score=[5, 4, 2, 3, 5, 1])
    t = csat_table(frame, "year", min_n=1).set_index("group")
    assert t.loc["2025", "score"] == 50 and t.loc["2025", "satisfied"] == 2
    assert t.loc["2026", "n"] == 2 and t.loc["2026", "low"] < 50 < t.loc["2026", "high"]
