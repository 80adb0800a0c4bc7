"""Scores, themes and quiet customers from the records store: what the CLI and web show.

Thin service functions: each loads the records it needs through
:mod:`retain.store.voice` and hands them to the pure functions of this package.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pandas as pd

from retain.errors import InvalidInputError
from retain.store import Store
from retain.store import voice as db
from retain.store.audience import excluded_ids
from retain.voice.breakdown import csat_table, nps_table, period_bounds
from retain.voice.loop import review_candidates
from retain.voice.quiet import flag_low_effort, silent_customers
from retain.voice.scores import MIN_SAMPLE
from retain.voice.surveys import get_survey
from retain.voice.themes import find_themes

#: which feedback counts for a score: NPS answers, reviews (on the 0-10 scale), or all
ANSWER_KINDS = ("nps", "csat", "review", "all")


@dataclass(frozen=True)
class Scope:
    """Which answers to score: a survey (id or name), a kind, a time range [since, until)."""

    survey: int | str | None = None
    kind: str = "nps"
    since: datetime | None = None
    until: datetime | None = None


def load_answers(store: Store, scope: Scope = Scope()) -> pd.DataFrame:
    """The feedback rows in ``scope`` (see :data:`ANSWER_KINDS`), with the ``survey`` name.

    Answers of confirmed competitors and merged-away customers are left out.
    """
    if scope.kind not in ANSWER_KINDS:
        raise InvalidInputError(
            f"unknown kind {scope.kind!r}; use one of {', '.join(ANSWER_KINDS)}"
        )
    survey_id = None if scope.survey is None else get_survey(store, scope.survey).id
    frame = db.feedback_frame(store, survey_id=survey_id, since=scope.since, until=scope.until)
    if scope.kind != "all":
        frame = frame[frame["kind"] == scope.kind]
    frame = frame[frame["nps_score"].notna()]
    gone = excluded_ids(store)  # confirmed competitors, merged-away duplicates
    frame = frame[~frame["customer_id"].isin(gone).fillna(False)].reset_index(drop=True)
    names = db.survey_names(store)
    frame["survey"] = [None if pd.isna(s) else names.get(int(s)) for s in frame["survey_id"]]
    return frame


def stage_labels(store: Store, as_of: datetime) -> pd.DataFrame:
    """``customer_id, stage`` as of ``as_of`` from the life-cycle analytics
    (:func:`retain.analytics.store_stages`: computed once per store, day and records)."""
    from retain.analytics import store_stages

    return store_stages(store, as_of)[["customer_id", "stage"]]


def score_report(
    store: Store,
    scope: Scope = Scope(),
    *,
    by: str = "overall",
    baseline: str | None = None,
    segments: Mapping[int, str] | pd.DataFrame | None = None,
    as_of: datetime | None = None,
    population: int | None = None,
    confidence: float = 0.95,
    min_n: int = MIN_SAMPLE,
) -> pd.DataFrame:
    """NPS (or CSAT for ``kind="csat"``) of the answers in ``scope``, grouped ``by``.

    ``baseline`` is a period compared against (it may lie outside ``scope``'s
    time range). ``stage`` grouping uses each customer's stage as of ``as_of``.
    """
    answers = load_answers(store, scope)
    stages = stage_labels(store, as_of) if by == "stage" and as_of is not None else None
    if by == "stage" and stages is None:
        raise InvalidInputError("grouping by stage needs as_of (the date of the stages)")
    orders = db.order_frame(store) if by == "product" else None
    labels: dict[str, Any] = {"segments": segments, "stages": stages, "orders": orders}
    if scope.kind == "csat":
        if baseline is not None:
            raise InvalidInputError("a baseline comparison is for NPS; leave out --baseline")
        return csat_table(answers, by, confidence=confidence, min_n=min_n, **labels)
    base: str | pd.DataFrame | None = baseline
    if baseline is not None:
        start, end = period_bounds(baseline)
        base = load_answers(store, Scope(scope.survey, scope.kind, start, end))
        if base.empty:
            raise InvalidInputError(f"no answers in the baseline period {baseline!r}")
    pop = population if by == "overall" else None
    return nps_table(
        answers,
        by,
        baseline=base,
        population=pop,
        confidence=confidence,
        min_n=min_n,
        **labels,
    )


def theme_report(store: Store, scope: Scope = Scope(kind="all"), **options: Any) -> pd.DataFrame:
    """Comment themes of the answers and reviews in ``scope``, worst NPS drag first."""
    themes, _ = find_themes(load_answers(store, scope), **options)
    return themes


def low_effort_answers(store: Store, scope: Scope = Scope(kind="all")) -> pd.DataFrame:
    """Answers whose comment says nothing ("fine", "ok"), with the customer: at risk."""
    answers = flag_low_effort(load_answers(store, scope))
    out = answers[answers["low_effort"]]
    cols = ["id", "customer_id", "survey_id", "source", "nps_score", "comment", "responded_at"]
    return out[cols].rename(columns={"id": "feedback_id"}).reset_index(drop=True)


def silent_report(
    store: Store, *, as_of: datetime, min_invitations: int = 2, window_days: int = 180
) -> pd.DataFrame:
    """Silent customers (invited >= 2 times, never answered, buying less), with e-mail."""
    invitations = db.invitation_frame(store)
    spoke = db.feedback_frame(store)[["customer_id"]]
    candidates = invitations["customer_id"].unique().tolist()
    orders = db.order_frame(store, candidates)
    out = silent_customers(
        invitations,
        spoke,
        orders,
        as_of=as_of,
        min_invitations=min_invitations,
        window_days=window_days,
    )
    if out.empty:
        return out
    who = db.customer_labels(store, out["customer_id"].tolist())
    return out.merge(who, on="customer_id", how="left")


def promoter_report(store: Store, *, as_of: datetime, within_days: int = 90) -> pd.DataFrame:
    """Promoters of the last ``within_days`` to ask for a review or referral, with e-mail."""
    out = review_candidates(db.feedback_frame(store), as_of=as_of, within_days=within_days)
    if out.empty:
        return out
    who = db.customer_labels(store, out["customer_id"].astype(int).tolist())
    return out.merge(who.astype({"customer_id": "Int64"}), on="customer_id", how="left")
