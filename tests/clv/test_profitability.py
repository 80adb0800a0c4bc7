"""Customer profitability by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from retain.clv.profitability import profitability, unprofitable
from retain.errors import MissingColumnsError

CUSTOMERS = pd.DataFrame(
    {
        "customer_id": ["a", "b", "c"],
        "revenue": [500.0, 120.0, 80.0],
        "cost": [300.0, 60.0, 40.0],
        "refunds": [0.0, 20.0, 0.0],
        "cases": [1, 4, 0],
        "touchpoints": [2, 6, 1],
        "tenure": [12.0, 6.0, 3.0],
    }
)


def test_margin_and_cost_to_serve_by_hand() -> None:
    table = profitability(CUSTOMERS, cost_per_case=15.0, cost_per_touchpoint=2.5).set_index(
        "customer_id"
    )
    # b: 4 cases * 15 + 6 touchpoints * 2.5 = 75 to serve; 120 - 60 - 20 - 75 = -35
    assert table.loc["b", "cost_to_serve"] == 75.0
    assert table.loc["b", "margin"] == -35.0
    assert table.loc["a", "margin"] == 500 - 300 - 15 - 5
    # with cheaper cases b still earns: 120 - 60 - 20 - 4 * 5 = 20
    assert list(unprofitable(profitability(CUSTOMERS, cost_per_case=5.0))["customer_id"]) == []
    flagged = unprofitable(profitability(CUSTOMERS, cost_per_case=15.0, cost_per_touchpoint=2.5))
    assert list(flagged["customer_id"]) == ["b"]
    assert "4 cases and 6 touchpoints cost 75.00" in flagged.loc[0, "evidence"]


def test_future_margin_projects_cost_to_serve() -> None:
    future = pd.Series({"a": 200.0, "b": 30.0, "c": 25.0})
    table = profitability(
        CUSTOMERS, cost_per_case=15.0, cost_per_touchpoint=2.5, future_value=future, horizon=12.0
    ).set_index("customer_id")
    # b serves at 75 per 6 months: 150 over the next 12 against 30 of value
    assert table.loc["b", "future_cost_to_serve"] == pytest.approx(150.0)
    assert table.loc["b", "future_margin"] == pytest.approx(-120.0)
    # c: 2.5 per 3 months -> 10 over 12; 25 - 10 = 15
    assert table.loc["c", "future_margin"] == pytest.approx(15.0)
    flagged = unprofitable(table.reset_index())
    assert list(flagged["customer_id"]) == ["b"]
    assert "expected future value 30.00 against 150.00 to serve" in flagged.loc[0, "evidence"]


def test_required_columns() -> None:
    with pytest.raises(MissingColumnsError, match="'revenue'"):
        profitability(pd.DataFrame({"customer_id": [1]}))
