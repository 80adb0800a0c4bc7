"""profit_table on a case worked by hand, and the CLI registration."""

from __future__ import annotations

import pandas as pd
import pytest
from typer.testing import CliRunner

from retain.cli.app import app
from retain.clv.profitability import unprofitable
from retain.clv.scores import DAYS_PER_MONTH, profit_table


def test_profit_table_by_hand():
    summary = pd.DataFrame(
        {
            "customer_id": [1, 2],
            "revenue": [10000, 5000],  # net of refunds, cents
            "refunds": [2000, 0],
            "T": [2 * DAYS_PER_MONTH, 12 * DAYS_PER_MONTH],
        }
    )
    service = pd.DataFrame(
        {"customer_id": [1, 2, 3], "cost_minor": [4000, 1000, 0], "cases": [2, 0, 1],
         "touchpoints": [4, 0, 0]}
    )  # fmt: skip
    scores = pd.DataFrame({"customer_id": [1, 2], "clv_minor": [6000, 3000]})
    table = profit_table(
        summary,
        service,
        digits=2,
        cost_per_case=15,
        cost_per_touchpoint=2.5,
        scores=scores,
        horizon_months=12,
    ).set_index("customer_id")
    one, two, three = table.loc[1], table.loc[2], table.loc[3]
    # 1: 120 gross - 40 cost - 20 refunds - (2 x 15 + 4 x 2.5) = 20; CLV 60 at a 60% margin
    # rate = 36; cost to serve 40 over 2 months counted as 3, over 12 months = 160
    assert one["margin"] == pytest.approx(20.0)
    assert one["future_value"] == pytest.approx(36.0)
    assert one["future_cost_to_serve"] == pytest.approx(160.0)
    assert one["future_margin"] == pytest.approx(-124.0)
    # 2: 50 - 10 = 40; CLV 30 at 80% = 24; nothing to serve
    assert (two["margin"], two["future_margin"]) == pytest.approx((40.0, 24.0))
    # 3: no purchase, one case: -15 to date, no future value or projected cost
    assert (three["margin"], three["future_margin"]) == pytest.approx((-15.0, 0.0))
    worst = unprofitable(table.reset_index())
    assert list(worst["customer_id"]) == [1]
    assert "2 cases and 4 touchpoints cost 40.00" in worst.loc[0, "evidence"]


def test_without_scores_the_margin_to_date_decides():
    summary = pd.DataFrame({"customer_id": [1], "revenue": [100], "refunds": [0], "T": [30.0]})
    service = pd.DataFrame(
        {"customer_id": [1], "cost_minor": [0], "cases": [1], "touchpoints": [0]}
    )
    table = profit_table(summary, service, digits=0, cost_per_case=150, cost_per_touchpoint=0)
    assert table.loc[0, "margin"] == pytest.approx(-50.0)  # 100 yen - 150 for a case
    assert list(unprofitable(table)["customer_id"]) == [1]


def test_retain_clv_is_registered():
    result = CliRunner().invoke(app, ["clv", "--help"])
    assert result.exit_code == 0
    for command in ("fit", "predict", "evaluate", "profit"):
        assert f"  {command} " in result.stdout
