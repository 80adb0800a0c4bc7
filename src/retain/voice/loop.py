"""The closed loop: a detractor answer or a bad review opens one follow-up case.

Rules (per feedback row with a known customer):

* an NPS answer with ``nps_score`` 0-6, or a CSAT answer of 1-2 (of 1-5), is a
  detractor: case source ``detractor``;
* a review at 2 stars or less on its own scale (``score`` at most a quarter
  of the way up: 2 of 1-5, 4 of 0-10... ) is a bad review: source ``bad_review``.

The case goes to the customer's rep (``retain.service.open_case`` assigns it)
with the comment attached; ``open_case`` is idempotent per feedback, so
answering again, or running the loop twice, never opens a second case.
Promoters (9-10) are the candidates to ask for a review or a referral
(:func:`review_candidates`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

import pandas as pd

from retain.store import Store
from retain.store import voice as db

#: a review at or below this share of its scale is "2 stars or less" (2 of 1..5)
BAD_REVIEW_SHARE = 0.25
DETRACTOR_UP_TO = 6


def follow_up_source(row: dict[str, Any] | pd.Series) -> str | None:
    """``detractor``, ``bad_review`` or None for one feedback row (see the module rules)."""
    if row["kind"] in ("review", "csat"):
        low, high, score = float(row["score_min"]), float(row["score_max"]), row["score"]
        if score is None or pd.isna(score) or high <= low:
            return None
        if (float(score) - low) / (high - low) > BAD_REVIEW_SHARE:
            return None
        return "bad_review" if row["kind"] == "review" else "detractor"
    nps_score = row["nps_score"]
    if nps_score is None or pd.isna(nps_score):
        return None
    return "detractor" if int(nps_score) <= DETRACTOR_UP_TO else None


def _subject(row: pd.Series, survey_names: dict[int, str], source: str) -> str:
    score = row["score"]
    shown = f"{float(score):g}/{int(row['score_max'])}"
    if source == "bad_review":
        where = row["source"] or "a review site"
        return f"Bad review ({shown}) on {where}"
    survey = row["survey_id"]
    name = survey_names.get(int(survey)) if survey is not None and not pd.isna(survey) else None
    return f"Detractor ({shown}) in {name!r}" if name else f"Detractor ({shown})"


def _description(row: pd.Series) -> str:
    parts = [f"Comment: {row['comment']}" if row["comment"] else "No comment given."]
    if row["follow_up_answer"]:
        parts.append(f"Follow-up answer: {row['follow_up_answer']}")
    cats = row["category_scores"]
    if isinstance(cats, dict) and cats:
        parts.append("Category scores: " + ", ".join(f"{k} {v}" for k, v in cats.items()))
    when = row["responded_at"]
    parts.append(f"Answered {when:%Y-%m-%d %H:%M} UTC (feedback {int(row['id'])}).")
    return "\n".join(parts)


def _category(row: pd.Series) -> str | None:
    if row["category"]:
        return str(row["category"])
    cats = row["category_scores"]
    if isinstance(cats, dict) and cats:
        return str(min(cats, key=lambda k: cats[k]))  # the worst-scored category
    return None


def close_loop(
    store: Store,
    feedback_ids: Iterable[int] | None = None,
    *,
    now: datetime,
    import_batch_id: int | None = None,
    max_age_days: int | None = None,
) -> dict[int, int]:
    """Open a follow-up case for each detractor answer and bad review; {feedback id: case id}.

    Looks at ``feedback_ids``, or the feedback of ``import_batch_id``, or (neither
    given) all feedback; ``max_age_days`` skips feedback answered longer ago than
    that (old reviews from an import need no case now). Feedback without a known
    customer is skipped. Existing cases are returned, never opened twice.
    """
    from retain.service import open_case  # the cases capability

    frame = db.feedback_frame(
        store,
        ids=None if feedback_ids is None else list(feedback_ids),
        import_batch_id=import_batch_id,
        since=None if max_age_days is None else now - timedelta(days=max_age_days),
    )
    frame = frame[frame["customer_id"].notna()]
    if frame.empty:
        return {}
    names = db.survey_names(store)
    sources = pd.Series([follow_up_source(r) for _, r in frame.iterrows()], index=frame.index)
    needed = frame.assign(_source=sources)[sources.notna()]
    # feedback that has its case already: no transaction per row on re-runs
    opened = db.cases_for_feedback(store, needed["id"].astype(int).tolist())
    for _, row in needed.iterrows():
        if int(row["id"]) in opened:
            continue
        source = str(row["_source"])
        opened[int(row["id"])] = open_case(
            store,
            customer_id=int(row["customer_id"]),
            subject=_subject(row, names, source),
            source=source,
            description=_description(row),
            category=_category(row),
            feedback_id=int(row["id"]),
            actor="voice",
            now=now,
        )
    return opened


def review_candidates(
    feedback: pd.DataFrame, *, as_of: datetime, within_days: int = 90
) -> pd.DataFrame:
    """Promoters of the last ``within_days`` to ask for a review or a referral.

    ``feedback``: rows of :func:`retain.store.voice.feedback_frame`. A customer
    is a candidate if his latest survey answer is a promoter (9-10) and he has
    left no review since. Columns: ``customer_id, feedback_id, responded_at,
    nps_score, comment``, newest first.
    """
    cols = ["customer_id", "feedback_id", "responded_at", "nps_score", "comment"]
    f = feedback[feedback["customer_id"].notna()]
    answers = f[f["kind"].isin(["nps", "csat"])].sort_values("responded_at")
    latest = answers.groupby("customer_id").tail(1)
    since = pd.Timestamp(as_of - timedelta(days=within_days))
    latest = latest[
        (latest["nps_score"] >= 9)
        & (latest["responded_at"] >= since)
        & (latest["responded_at"] <= pd.Timestamp(as_of))
    ]
    reviews = (
        f[f["kind"] == "review"]
        .groupby("customer_id", as_index=False)["responded_at"]
        .max()
        .rename(columns={"responded_at": "_last_review"})
    )
    latest = latest.merge(reviews, on="customer_id", how="left")
    latest = latest[
        latest["_last_review"].isna() | (latest["_last_review"] < latest["responded_at"])
    ]
    out = latest.rename(columns={"id": "feedback_id"})[cols]
    return out.sort_values("responded_at", ascending=False).reset_index(drop=True)
