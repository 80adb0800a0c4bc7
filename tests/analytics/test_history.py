"""stage_history in one query equals the stages computed month by month."""

from __future__ import annotations

from datetime import date

from retain.analytics import STAGES, customer_stages, stage_history
from retain.analytics.flows import month_ends

from .test_engines import as_pandas, synthetic


def test_history_equals_the_stages_of_every_month_end() -> None:
    orders, customers = as_pandas(*synthetic(seed=5, n=120))
    start, end = date(2023, 1, 10), date(2025, 6, 20)
    h = stage_history(orders, start, end, customers)
    ends = month_ends(start, end)
    assert h.as_of.tolist() == ends
    assert ends[-1] == end and len(ends) == 30
    for i, day in enumerate(ends):
        counts = customer_stages(orders, day, customers).stage.value_counts()
        assert h.iloc[i][list(STAGES)].tolist() == [int(counts.get(s, 0)) for s in STAGES], day
    # the business grows and ages: prospects early, inactive customers later
    assert h.iloc[0]["prospect"] > 0
    assert h.iloc[-1]["inactive"] > h.iloc[0]["inactive"]


def test_one_month() -> None:
    orders, customers = as_pandas(*synthetic(seed=5, n=30))
    h = stage_history(orders, date(2024, 3, 1), date(2024, 3, 15), customers)
    counts = customer_stages(orders, date(2024, 3, 15), customers).stage.value_counts()
    assert h.as_of.tolist() == [date(2024, 3, 15)]
    assert h.iloc[0][list(STAGES)].tolist() == [int(counts.get(s, 0)) for s in STAGES]
