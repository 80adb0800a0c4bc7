"""The audience table's predicted value (clv, p_alive) survives a first purchase on as_of."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd

from retain.audience import audience_frame

AS_OF = datetime(2026, 1, 1, tzinfo=UTC)


def shop(with_newcomer: bool) -> tuple[pd.DataFrame, pd.DataFrame]:
    """60 customers buying at random over two years, each with his own typical spend
    (seed 5); the newcomer buys on as_of."""
    rng = np.random.default_rng(5)
    rows = []
    for cid in range(1, 61):
        first = int(rng.integers(30, 700))
        typical = rng.gamma(4.0, 1500.0)
        for k in range(1 + int(rng.poisson(2.0))):
            day = max(first - int(rng.integers(0, first)) if k else first, 1)
            amount = int(typical * rng.gamma(10.0, 0.1)) + 100
            rows.append((cid, AS_OF - timedelta(days=day), amount))
    if with_newcomer:
        rows.append((61, AS_OF, 5000))
    orders = pd.DataFrame(rows, columns=["customer_id", "ordered_at", "amount"])
    people = pd.DataFrame({"customer_id": sorted(orders["customer_id"].unique())})
    return people, orders


def test_newcomer_on_the_day_is_valued_and_others_unchanged():
    frame = audience_frame(*shop(True), AS_OF).set_index("id")
    before = audience_frame(*shop(False), AS_OF).set_index("id")
    assert frame["clv"].notna().all()
    assert frame.loc[61, "p_alive"] == 1.0  # no repeat purchase yet: alive by BG/NBD
    np.testing.assert_allclose(frame.loc[before.index, "clv"], before["clv"])
