"""The business gap quantiles, read from a histogram of gap lengths."""

from __future__ import annotations

import ibis
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from retain.analytics.gaps import gap_quantile


@settings(max_examples=60, deadline=None)
@given(
    gaps=st.lists(st.tuples(st.integers(0, 2), st.integers(1, 400)), min_size=1, max_size=60),
    q=st.sampled_from([0.0, 0.1, 0.5, 0.8, 0.95, 1.0]),
)
def test_histogram_quantile_equals_the_quantile_of_the_values(gaps, q) -> None:
    df = pd.DataFrame(gaps, columns=["group", "gap"])
    hist = df.groupby(["group", "gap"]).size().rename("n").reset_index()
    out = gap_quantile(ibis.memtable(hist), ["group"], q).to_pandas().set_index("group")
    for group, values in df.groupby("group").gap:
        # numpy's default is the continuous ("linear") quantile of quantile_cont
        assert out.loc[group, "gap_days"] == pytest.approx(np.quantile(values, q), abs=1e-9)
        assert out.loc[group, "gaps"] == len(values)
    overall = df.groupby("gap").size().rename("n").reset_index()
    one = gap_quantile(ibis.memtable(overall), [], q).to_pandas()
    assert one.gap_days[0] == pytest.approx(np.quantile(df.gap, q), abs=1e-9)


def test_by_hand() -> None:
    # gaps 3, 3, 10, 20: position (4 - 1) * 0.8 = 2.4 -> 10 + 0.4 * (20 - 10) = 14
    hist = pd.DataFrame({"gap": [3, 10, 20], "n": [2, 1, 1]})
    assert gap_quantile(ibis.memtable(hist), [], 0.8).to_pandas().gap_days[0] == pytest.approx(14.0)
    # no gap at all: one row, NULL
    empty = ibis.memtable(pd.DataFrame({"gap": np.array([], "int64"), "n": np.array([], "int64")}))
    assert gap_quantile(empty, [], 0.8).to_pandas().gap_days.isna().tolist() == [True]
