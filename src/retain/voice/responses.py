"""Taking answers: check a link, validate the answer, store it, close the loop.

The public response page and REST endpoint (``retain.web``) call
:func:`verify_token` to show the survey and :func:`submit_response` to store
the answer; the anonymous open link uses :func:`verify_open_key` and
:func:`submit_open_response`. A link makes one answer: answering again before
it expires updates that answer.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from retain.errors import InvalidInputError
from retain.store import Store
from retain.store import voice as db
from retain.voice.loop import close_loop, follow_up_source
from retain.voice.surveys import SurveyInfo, survey_info
from retain.voice.tokens import SurveyLinkError, read_token

MAX_COMMENT = 5000


@dataclass(frozen=True)
class InvitationContext:
    """A valid invitation link: the survey, the invitation and its answer so far (or None)."""

    survey: SurveyInfo
    invitation_id: int
    customer_id: int
    expires_at: datetime
    answered_at: datetime | None
    answer: dict[str, Any] | None


def to_nps_scale(score: float, low: int, high: int) -> int:
    """A score on ``low..high`` on the common 0-10 scale (half up: 4 of 1-5 stars -> 8)."""
    value = Decimal(10) * (Decimal(str(score)) - low) / (high - low)
    return int(value.quantize(Decimal(1), ROUND_HALF_UP))


def verify_token(
    store: Store, token: str, *, secret: str, now: datetime, survey_id: int | None = None
) -> InvitationContext:
    """The invitation a token stands for, if it may answer at ``now``.

    Refused with :class:`SurveyLinkError` (403): a changed or unknown token
    (``tampered``), a token of another survey than ``survey_id`` (``wrong_survey``),
    after the invitation's expiry (``expired``), or when the survey is closed.
    """
    token_survey, nonce = read_token(token, secret=secret)
    row = db.invitation_by_nonce(store, nonce)
    if row is None or int(row["survey_id"]) != token_survey:
        raise SurveyLinkError("tampered", "this survey link is not valid")
    if survey_id is not None and int(survey_id) != token_survey:
        raise SurveyLinkError("wrong_survey", "this link belongs to another survey")
    if now >= row["expires_at"]:
        raise SurveyLinkError(
            "expired", f"this survey link expired on {row['expires_at']:%Y-%m-%d}"
        )
    survey = survey_info(db.get_survey(store, token_survey))
    survey.check_open(now)
    answer = None
    if row["feedback_id"] is not None:
        answer = {
            "feedback_id": int(row["feedback_id"]),
            "score": int(row["feedback_score"]),
            "comment": row["feedback_comment"],
            "category_scores": row["feedback_category_scores"],
            "follow_up_answer": row["feedback_follow_up_answer"],
        }
    return InvitationContext(
        survey=survey,
        invitation_id=int(row["id"]),
        customer_id=int(row["customer_id"]),
        expires_at=row["expires_at"],
        answered_at=row["answered_at"],
        answer=answer,
    )


def validate_answer(
    survey: SurveyInfo,
    *,
    score: Any,
    comment: str | None,
    category_scores: dict[str, Any] | None,
    follow_up_answer: str | None,
) -> dict[str, Any]:
    """The answer's feedback columns; InvalidInputError for anything off the survey's scale."""
    low, high = survey.scale_min, survey.scale_max

    def whole(value: Any, what: str) -> int:
        if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
            raise InvalidInputError(f"{what} must be a whole number {low}..{high}, not {value!r}")
        try:
            number = Decimal(str(value).strip())
        except ArithmeticError:
            raise InvalidInputError(
                f"{what} must be a whole number {low}..{high}, not {value!r}"
            ) from None
        if (
            not number.is_finite()
            or number != number.to_integral_value()
            or not (low <= number <= high)
        ):
            raise InvalidInputError(f"{what} must be a whole number {low}..{high}, not {value!r}")
        return int(number)

    value = whole(score, "score")
    cats: dict[str, int] | None = None
    if category_scores:
        unknown = sorted(set(category_scores) - set(survey.categories))
        if unknown:
            known = ", ".join(survey.categories) or "none"
            raise InvalidInputError(
                f"unknown categor{'y' if len(unknown) == 1 else 'ies'} {', '.join(unknown)}; "
                f"this survey scores: {known}"
            )
        cats = {k: whole(v, f"score of {k}") for k, v in category_scores.items()}
    texts = {}
    for key, text in (("comment", comment), ("follow_up_answer", follow_up_answer)):
        if text is not None and not isinstance(text, str):
            raise InvalidInputError(f"{key} must be text")
        text = (text or "").strip()
        if len(text) > MAX_COMMENT:
            raise InvalidInputError(f"{key} is longer than {MAX_COMMENT} characters")
        texts[key] = text or None
    return {
        "kind": survey.kind,
        "score": value,
        "score_min": low,
        "score_max": high,
        "nps_score": to_nps_scale(value, low, high),
        "category_scores": cats,
        **texts,
    }


def submit_response(
    store: Store,
    token: str,
    *,
    score: int,
    comment: str | None = None,
    category_scores: dict[str, int] | None = None,
    follow_up_answer: str | None = None,
    secret: str,
    now: datetime,
    survey_id: int | None = None,
) -> int:
    """Store the answer of an invitation link; returns the feedback id.

    Answering again before the link expires updates the same feedback row. A
    detractor answer opens one follow-up case (see :func:`close_loop`).
    """
    ctx = verify_token(store, token, secret=secret, now=now, survey_id=survey_id)
    values = validate_answer(
        ctx.survey,
        score=score,
        comment=comment,
        category_scores=category_scores,
        follow_up_answer=follow_up_answer,
    )
    fid = db.save_invited_answer(
        store,
        invitation_id=ctx.invitation_id,
        values={
            **values,
            "external_id": f"survey:{ctx.invitation_id}",
            "customer_id": ctx.customer_id,
            "survey_id": ctx.survey.id,
            "source": "survey",
            "category": None,
            "responded_at": now,
        },
        now=now,
    )
    if follow_up_source(values) is not None:
        close_loop(store, [fid], now=now)
    return fid


def verify_open_key(store: Store, survey_key: str, *, now: datetime) -> SurveyInfo:
    """The survey of an anonymous open link, if it takes answers at ``now``."""
    row = db.survey_by_open_key(store, survey_key) if survey_key else None
    if row is None:
        raise SurveyLinkError("unknown_link", "this survey link is not valid")
    survey = survey_info(row)
    survey.check_open(now)
    return survey


def submit_open_response(
    store: Store,
    survey_key: str,
    *,
    score: int,
    comment: str | None = None,
    category_scores: dict[str, int] | None = None,
    follow_up_answer: str | None = None,
    now: datetime,
) -> int:
    """Store an anonymous answer given through a survey's open link; returns the feedback id.

    Each call adds an answer (nobody is known), so abuse limits belong on the
    endpoint (see :class:`retain.voice.RateLimiter`).
    """
    survey = verify_open_key(store, survey_key, now=now)
    values = validate_answer(
        survey,
        score=score,
        comment=comment,
        category_scores=category_scores,
        follow_up_answer=follow_up_answer,
    )
    return db.insert_feedback(
        store,
        {
            **values,
            "external_id": f"open:{uuid.uuid4()}",
            "customer_id": None,
            "survey_id": survey.id,
            "source": "open_link",
            "category": None,
            "responded_at": now,
        },
        now=now,
    )
