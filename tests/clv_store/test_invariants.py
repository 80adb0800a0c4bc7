"""Invariants of the pure scoring (hypothesis): P(alive) in [0, 1], CLV >= 0 in whole minor
units, or a clear InvalidInputError; and the docs name every command."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from retain.clv.scores import MODELS, score_customers
from retain.errors import InvalidInputError

ROOT = Path(__file__).resolve().parents[2]

customer = st.tuples(
    st.integers(0, 40),  # repeat purchase days
    st.floats(0.0, 1.0),  # recency as a share of T
    st.integers(1, 900),  # T, days
    st.integers(100, 50_000),  # mean order, cents
)


def _summary(rows: list[tuple[int, float, int, int]]) -> pd.DataFrame:
    f = np.array([r[0] for r in rows], dtype=float)
    big_t = np.array([r[2] for r in rows], dtype=float)
    recency = np.where(f > 0, np.maximum(np.round([r[1] for r in rows] * big_t), f), 0.0)
    recency = np.minimum(recency, big_t)
    spend = np.array([r[3] for r in rows], dtype=float)
    return pd.DataFrame(
        {
            "customer_id": np.arange(1, len(rows) + 1),
            "frequency": f,
            "recency": recency,
            "T": big_t,
            "monetary_value": np.where(f > 0, spend, 0.0),
            "revenue": spend * (f + 1),
            "orders": f + 1,
        }
    )


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.lists(customer, min_size=12, max_size=80),
    model=st.sampled_from(sorted(MODELS)),
    horizon=st.integers(1, 36),
    discount=st.floats(0.0, 0.5),
)
def test_scores_stay_in_range_or_fail_clearly(rows, model, horizon, discount):
    summary = _summary(rows)
    try:
        run = score_customers(
            summary,
            as_of=date(2026, 10, 31),
            model=model,
            horizon_months=horizon,
            discount_rate=discount,
            currency="USD",
            fitted_at=datetime(2026, 11, 1, tzinfo=UTC),
        )
    except InvalidInputError as exc:
        assert str(exc)  # says what went wrong: too few repeat buyers, or no convergence
        return
    scores = run.scores
    assert len(scores) == len(summary)
    assert scores["p_alive"].between(0.0, 1.0).all()
    assert (scores["expected_purchases"] >= 0).all()
    assert (scores["clv_minor"] >= 0).all() and scores["clv_minor"].dtype == np.int64
    assert (scores["expected_spend_minor"] >= 0).all()
    assert run.trust.level in ("good", "fair", "poor")


@pytest.mark.parametrize("command", ["fit", "predict", "evaluate", "profit"])
def test_docs_name_every_command(command):
    assert f"retain clv {command}" in (ROOT / "docs" / "clv.md").read_text(encoding="utf-8")
