"""Know your audience: which traits over-index among the best customers, honestly tested.

For each trait (a value of a demographic column, e.g. ``country = DE``) the
share among the group is compared with the share among the rest by Fisher's
exact test (two-sided, 2x2 table); for numeric columns (age, CLV, revenue)
the medians are compared by the Mann-Whitney U test. Testing dozens of traits
finds some "significant" by chance, so the p-values are corrected for
multiple comparisons with the Benjamini-Hochberg procedure (false discovery
rate, Benjamini & Hochberg 1995, JRSS-B 57(1)); a trait is reported as
significant only when its corrected ``q_value`` is below ``alpha``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from retain.errors import InvalidInputError

__all__ = ["CATEGORICAL", "NUMERIC", "PROFILE_COLUMNS", "benjamini_hochberg", "profile"]

CATEGORICAL = ("gender", "age_band", "country", "city", "profession", "income_band",
               "acquisition_channel", "main_category", "stage", "nps_group")  # fmt: skip
NUMERIC = ("age", "clv", "revenue", "purchases")
PROFILE_COLUMNS = ("attribute", "value", "group", "rest", "group_share", "rest_share",
                   "lift", "test", "p_value", "q_value", "significant")  # fmt: skip


def benjamini_hochberg(p_values: Sequence[float] | np.ndarray) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values (q-values), same order as given; NaN stays NaN.

    q_(i) = min over j >= i of p_(j) * m / j for the sorted p-values, capped at 1.
    """
    p = np.asarray(p_values, dtype=float)
    out = np.full(p.shape, np.nan)
    ok = ~np.isnan(p)
    m = int(ok.sum())
    if m == 0:
        return out
    order = np.argsort(p[ok])
    ranked = p[ok][order] * m / np.arange(1, m + 1)
    q = np.minimum.accumulate(ranked[::-1])[::-1].clip(max=1.0)
    adjusted = np.empty(m)
    adjusted[order] = q
    out[ok] = adjusted
    return out


def profile(
    frame: pd.DataFrame,
    mask: Any,
    *,
    categorical: Sequence[str] = CATEGORICAL,
    numeric: Sequence[str] = NUMERIC,
    alpha: float = 0.05,
    min_count: int = 5,
) -> pd.DataFrame:
    """The traits of the rows in ``mask`` against the rest, most over-represented first.

    Categorical rows: ``group``/``rest`` count the customers with the value,
    ``group_share``/``rest_share`` are fractions 0-1 of those with a known
    value, ``lift`` = group_share / rest_share. Numeric rows: ``value`` is
    ``median``, ``group``/``rest`` the medians. Values seen fewer than
    ``min_count`` times are skipped. Columns absent from ``frame`` are skipped.
    """
    selected = np.asarray(mask, dtype=bool)
    if selected.shape != (len(frame),):
        raise InvalidInputError(f"mask has {selected.size} values for {len(frame)} customers")
    if selected.all() or not selected.any():
        raise InvalidInputError(
            "a profile compares a group with the rest: the group is empty or everyone"
        )
    rows: list[dict[str, Any]] = []
    for column in categorical:
        if column not in frame.columns:
            continue
        values = frame[column].astype("string")
        known = values.notna() & (values != "")
        g_total = int((known & selected).sum())
        r_total = int((known & ~selected).sum())
        if not g_total or not r_total:
            continue
        counts = values[known].value_counts()
        for value, count in counts.items():
            if count < min_count:
                continue
            has = (values == value).fillna(False).to_numpy(dtype=bool)
            g, r = int((has & selected).sum()), int((has & ~selected).sum())
            table = [[g, g_total - g], [r, r_total - r]]
            p = float(stats.fisher_exact(table).pvalue)
            g_share, r_share = g / g_total, r / r_total
            rows.append(
                {
                    "attribute": column,
                    "value": str(value),
                    "group": g,
                    "rest": r,
                    "group_share": g_share,
                    "rest_share": r_share,
                    "lift": g_share / r_share if r_share else np.inf,
                    "test": "fisher",
                    "p_value": p,
                }
            )
    for column in numeric:
        if column not in frame.columns:
            continue
        data = pd.to_numeric(frame[column], errors="coerce").astype(float)
        g, r = data[selected].dropna(), data[~selected].dropna()
        if len(g) < min_count or len(r) < min_count:
            continue
        p = float(stats.mannwhitneyu(g, r, alternative="two-sided").pvalue)
        g_med, r_med = float(g.median()), float(r.median())
        rows.append(
            {
                "attribute": column,
                "value": "median",
                "group": g_med,
                "rest": r_med,
                "group_share": np.nan,
                "rest_share": np.nan,
                "lift": g_med / r_med if r_med else np.nan,
                "test": "mann-whitney",
                "p_value": p,
            }
        )
    out = pd.DataFrame(rows, columns=list(PROFILE_COLUMNS[:-2]))
    out["q_value"] = benjamini_hochberg(out["p_value"].to_numpy())
    out["significant"] = out["q_value"] < alpha
    return out.sort_values(
        ["significant", "lift"], ascending=[False, False], na_position="last"
    ).reset_index(drop=True)
