"""NPS and CSAT by period, category, segment, life-cycle stage and product category.

Tables in, tables out. ``answers`` are feedback rows with at least
``nps_score`` (0-10) and ``responded_at`` (UTC), plus ``customer_id``,
``kind``, ``category``, ``category_scores``, ``score_min``, ``score_max`` for
the groupings that need them (see :func:`grouped_scores`). Every row of the
result states its denominator: ``n`` answers, never invitations.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd

from retain.errors import InvalidInputError, MissingColumnsError
from retain.voice.compare import compare
from retain.voice.responses import to_nps_scale
from retain.voice.scores import MIN_SAMPLE, csat, nps

GROUPINGS = (
    "overall",
    "month",
    "quarter",
    "year",
    "category",
    "segment",
    "stage",
    "product",
    "survey",
    "source",
)
PERIODS = {"month": "M", "quarter": "Q", "year": "Y"}
NO_GROUP = "(none)"
TABLE_COLUMNS = [
    "group",
    "n",
    "promoters",
    "passives",
    "detractors",
    "score",
    "margin_of_error",
    "low",
    "high",
    "score_low",
    "score_high",
    "standard_error",
    "population",
    "fpc",
    "warning",
]
BASELINE_COLUMNS = [
    "baseline_score",
    "baseline_n",
    "difference",
    "difference_low",
    "difference_high",
    "p_value",
    "significant",
]


def require(frame: pd.DataFrame, what: str, columns: tuple[str, ...]) -> None:
    """MissingColumnsError naming the columns ``frame`` lacks."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise MissingColumnsError(what, missing, list(frame.columns))


def period_labels(times: pd.Series, by: str) -> pd.Series:
    """``2026-03``, ``2026Q1`` or ``2026`` labels of UTC times (month, quarter, year)."""
    ts = pd.to_datetime(times, utc=True).dt.tz_localize(None)
    return ts.dt.to_period(PERIODS[by]).astype(str)


def period_bounds(period: str) -> tuple[datetime, datetime]:
    """[start, end) in UTC of ``2025``, ``2025Q1`` (or ``2025-Q1``), ``2025-03`` or
    ``2025-01-01..2025-06-30`` (both days included)."""
    text = period.strip()
    if ".." in text:
        a, b = text.split("..", 1)
        try:
            start = pd.Timestamp(a.strip(), tz=UTC)
            end = pd.Timestamp(b.strip(), tz=UTC) + pd.Timedelta(days=1)
        except ValueError:
            start = end = None
        if start is None or end is None or end <= start:
            raise InvalidInputError(
                f"cannot read the period {period!r}; use 2025-01-01..2025-06-30"
            )
        return start.to_pydatetime(), end.to_pydatetime()
    m = re.fullmatch(r"(\d{4})(?:-?([Qq][1-4])|-(\d{2}))?", text)
    if not m:
        raise InvalidInputError(
            f"cannot read the period {period!r}; use 2025, 2025Q1, 2025-03 "
            "or 2025-01-01..2025-06-30"
        )
    year, quarter, month = m.groups()
    freq = "Q" if quarter else "M" if month else "Y"
    label = f"{year}{quarter.upper()}" if quarter else f"{year}-{month}" if month else year
    try:
        p = pd.Period(label, freq=freq)
    except ValueError as exc:
        raise InvalidInputError(f"cannot read the period {period!r}: {exc}") from None
    start = p.start_time.tz_localize(UTC)
    end = (p + 1).start_time.tz_localize(UTC)
    return start.to_pydatetime(), end.to_pydatetime()


def in_period(answers: pd.DataFrame, period: str) -> pd.DataFrame:
    """The answers given within ``period`` (see :func:`period_bounds`)."""
    start, end = period_bounds(period)
    t = pd.to_datetime(answers["responded_at"], utc=True)
    return answers[(t >= start) & (t < end)]


def _lookup(values: Any, what: str, column: str) -> pd.Series:
    """A customer_id -> label Series from a mapping or a frame with ``customer_id``, ``column``."""
    if isinstance(values, pd.DataFrame):
        require(values, what, ("customer_id", column))
        return values.drop_duplicates("customer_id", keep="last").set_index("customer_id")[column]
    if isinstance(values, Mapping):
        return pd.Series(dict(values), dtype=object)
    if isinstance(values, pd.Series):
        return values
    raise InvalidInputError(f"{what} must be a mapping customer_id -> label or a table")


def product_of_answer(answers: pd.DataFrame, orders: pd.DataFrame) -> pd.Series:
    """The product category of each answerer's last order before the answer (index of answers).

    ``orders`` needs ``customer_id``, ``ordered_at``, ``product_category``.
    """
    require(orders, "orders", ("customer_id", "ordered_at", "product_category"))
    left = answers[["customer_id", "responded_at"]].copy()
    left["_pos"] = np.arange(len(left))
    left = left[left["customer_id"].notna()]
    left["customer_id"] = left["customer_id"].astype("int64")
    left["responded_at"] = pd.to_datetime(left["responded_at"], utc=True)
    right = orders[orders["product_category"].notna()][
        ["customer_id", "ordered_at", "product_category"]
    ].copy()
    right["customer_id"] = right["customer_id"].astype("int64")
    right["ordered_at"] = pd.to_datetime(right["ordered_at"], utc=True)
    out = pd.Series(NO_GROUP, index=answers.index, dtype=object)
    if left.empty or right.empty:
        return out
    merged = pd.merge_asof(
        left.sort_values("responded_at"),
        right.sort_values("ordered_at"),
        left_on="responded_at",
        right_on="ordered_at",
        by="customer_id",
        direction="backward",
    )
    found = merged.dropna(subset=["product_category"])
    out.iloc[found["_pos"].to_numpy()] = found["product_category"].to_numpy()
    return out


def _category_rows(answers: pd.DataFrame) -> pd.DataFrame:
    """One row per (answer, category): the answer's own ``category`` and its sub-scores."""
    parts = []
    if "category" in answers:
        own = answers[answers["category"].notna() & (answers["category"] != "")]
        parts.append(own.assign(group=own["category"].astype(str)))
    if "category_scores" in answers:
        rows = []
        for idx, cats in answers["category_scores"].items():
            if not isinstance(cats, dict):
                continue
            lo, hi = answers.at[idx, "score_min"], answers.at[idx, "score_max"]
            for name, value in cats.items():
                row = answers.loc[idx].copy()
                row["group"] = str(name)
                row["score"] = float(value)
                row["nps_score"] = to_nps_scale(value, int(lo), int(hi))
                rows.append(row)
        if rows:
            parts.append(pd.DataFrame(rows))
    if not parts:
        return answers.iloc[0:0].assign(group=pd.Series(dtype=object))
    return pd.concat(parts, ignore_index=True)


def grouped_scores(
    answers: pd.DataFrame,
    by: str = "overall",
    *,
    segments: Any = None,
    stages: Any = None,
    orders: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """``answers`` with a ``group`` label per row for grouping ``by`` (one of GROUPINGS).

    ``segment`` needs ``segments`` (customer_id -> label, a mapping or a table
    with ``customer_id, segment``); ``stage`` needs ``stages`` (a table with
    ``customer_id, stage``, e.g. from ``retain.analytics.customer_stages``);
    ``product`` needs ``orders``. ``category`` gives one row per scored category.
    Answers without a known customer or label fall in the group ``(none)``.
    """
    if by not in GROUPINGS:
        raise InvalidInputError(f"cannot group by {by!r}; use one of {', '.join(GROUPINGS)}")
    require(answers, "answers", ("nps_score", "responded_at"))
    a = answers.copy()
    if by == "overall":
        return a.assign(group="all")
    if by in PERIODS:
        return a.assign(group=period_labels(a["responded_at"], by))
    if by == "category":
        return _category_rows(a)
    if by in ("survey", "source"):
        column = "source" if by == "source" else "survey" if "survey" in a else "survey_id"
        require(a, "answers", (column,))
        return a.assign(group=a[column].astype(object).where(a[column].notna(), NO_GROUP))
    if by == "product":
        if orders is None:
            raise InvalidInputError("grouping by product needs the orders")
        return a.assign(group=product_of_answer(a, orders))
    source, column = (segments, "segment") if by == "segment" else (stages, "stage")
    if source is None:
        raise InvalidInputError(
            f"grouping by {by} needs a customer_id -> {column} table "
            + ("(--segments FILE)" if by == "segment" else "(from retain.analytics)")
        )
    require(a, "answers", ("customer_id",))
    labels = _lookup(source, f"{column}s", column)
    mapped = a["customer_id"].map(labels)
    return a.assign(group=mapped.astype(object).where(mapped.notna(), NO_GROUP))


def _sort_key(groups: pd.Index) -> list[Any]:
    return sorted(groups, key=lambda g: (g == NO_GROUP, str(g)))


def nps_table(
    answers: pd.DataFrame,
    by: str = "overall",
    *,
    segments: Any = None,
    stages: Any = None,
    orders: pd.DataFrame | None = None,
    baseline: str | pd.DataFrame | None = None,
    population: int | Mapping[Any, int] | None = None,
    confidence: float = 0.95,
    min_n: int = MIN_SAMPLE,
) -> pd.DataFrame:
    """NPS per group with counts, margin of error, normal and score intervals, warnings.

    ``baseline``: a period (``2025``, ``2025Q1``, ``2025-03``, ``A..B``) of
    ``answers`` or a table of baseline answers; each group is compared with
    it (``difference`` in points, its MOVER interval ``difference_low..high``,
    the pooled z test's ``p_value`` and ``significant``; see :mod:`.compare`).
    ``population``: customers who could answer, overall (int) or per group.
    Columns: ``TABLE_COLUMNS`` (+ ``BASELINE_COLUMNS``). Groups without
    answers do not appear; no answers at all is an error.
    """
    grouped = grouped_scores(answers, by, segments=segments, stages=stages, orders=orders)
    if grouped.empty and len(answers):
        raise InvalidInputError(
            f"none of the {len(answers)} answers has a {by}: category needs answers with a "
            "category or category scores"
        )
    if grouped.empty:
        raise InvalidInputError(
            "no answers to score: check the survey, the period or --kind "
            "(NPS counts answers, not invitations)"
        )
    base = None
    if baseline is not None:
        base_answers = in_period(answers, baseline) if isinstance(baseline, str) else baseline
        if base_answers.empty:
            raise InvalidInputError(f"no answers in the baseline period {baseline!r}")
        base = nps(base_answers["nps_score"], confidence=confidence, min_n=min_n)
    rows = []
    sizes = grouped.groupby("group", sort=False)
    for group in _sort_key(pd.Index(sizes.groups.keys())):
        scores = sizes.get_group(group)["nps_score"]
        pop = population.get(group) if isinstance(population, Mapping) else population
        r = nps(scores, population=pop, confidence=confidence, min_n=min_n)
        row = {"group": group, **{k: v for k, v in r.to_dict().items() if k in TABLE_COLUMNS}}
        if base is not None:
            c = compare(r, base, confidence=confidence)
            row.update(
                baseline_score=base.score,
                baseline_n=base.n,
                difference=c.difference,
                difference_low=c.mover_low,
                difference_high=c.mover_high,
                p_value=c.p_value,
                significant=c.significant,
            )
        rows.append(row)
    cols = TABLE_COLUMNS + (BASELINE_COLUMNS if base is not None else [])
    return pd.DataFrame(rows, columns=cols)


def csat_table(
    answers: pd.DataFrame,
    by: str = "overall",
    *,
    confidence: float = 0.95,
    min_n: int = MIN_SAMPLE,
    **labels: Any,
) -> pd.DataFrame:
    """CSAT (% satisfied, 4-5 of 1-5) per group with its Wilson interval.

    ``answers`` need ``score``, ``responded_at`` (and what grouping ``by`` needs).
    Columns: ``group, n, satisfied, score, margin_of_error, low, high, warning``.
    """
    require(answers, "answers", ("score",))
    a = answers.assign(nps_score=0)
    grouped = grouped_scores(a, by, **labels)
    if grouped.empty:
        raise InvalidInputError("no CSAT answers to score")
    rows = []
    for group, part in grouped.groupby("group", sort=False):
        r = csat(part["score"], confidence=confidence, min_n=min_n)
        rows.append({"group": group, **r.to_dict()})
    cols = ["group", "n", "satisfied", "score", "margin_of_error", "low", "high", "warning"]
    out = pd.DataFrame(rows)[cols]
    return out.set_index("group").loc[_sort_key(out["group"])].reset_index()
