"""Surveys: the list and results pages, ``/api/v1/surveys``, and the public response page.

The public page (``/r/{token}`` for an invitation, ``/r/open/{key}`` for an
anonymous link; the links ``retain surveys invite`` writes) needs no login
and no CSRF token (it has no session to ride on); it is rate limited per
address. Links are checked with ``RETAIN_SECRET_KEY``, the secret the CLI
signs them with.
"""

from __future__ import annotations

from contextlib import suppress
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from retain.errors import InvalidInputError, RetainError
from retain.web.deps import Now, Reader, StoreDep
from retain.web.pages import render
from retain.web.ratelimit import limit_public
from retain.web.schemas.common import ERRORS, NOT_FOUND, PathId
from retain.web.schemas.surveys import SurveyResults, SurveyRow

api = APIRouter(prefix="/api/v1/surveys", tags=["surveys"], responses=ERRORS)
pages = APIRouter(include_in_schema=False)
public = APIRouter(include_in_schema=False)


def _rows(frame: Any) -> list[dict[str, Any]]:
    return frame.astype(object).where(frame.notna(), None).to_dict("records")


def survey_list(store) -> list[dict[str, Any]]:
    from retain.voice import response_rates

    return _rows(response_rates(store))


def survey_results(store, survey_id: int, now) -> dict[str, Any]:
    """Overall score, by category, comment themes and recent comments of one survey."""
    from retain.voice import Scope, get_survey, load_answers, score_report, theme_report

    info = get_survey(store, survey_id)
    scope = Scope(survey=survey_id, kind=info.kind)
    answers = load_answers(store, scope)
    out: dict[str, Any] = {
        "survey": {
            "id": info.id,
            "name": info.name,
            "kind": info.kind,
            "question": info.question,
            "status": info.status,
        },
        "answers": len(answers),
        "overall": None,
        "by_category": [],
        "themes": [],
        "comments": [],
    }
    if answers.empty:
        return out
    keep = ["group", "n", "score", "low", "high", "margin_of_error"]
    out["overall"] = _rows(score_report(store, scope, by="overall", as_of=now)[keep])[0]
    with suppress(RetainError):  # no answer has a category: nothing to break down
        out["by_category"] = _rows(score_report(store, scope, by="category", as_of=now)[keep])
    themes = theme_report(store, scope)
    if not themes.empty:
        out["themes"] = _rows(themes[["theme", "mentions", "nps", "nps_drag", "examples"]])
    recent = answers[answers["comment"].notna()].sort_values("responded_at", ascending=False)
    out["comments"] = [
        {"score": int(r["nps_score"]), "comment": r["comment"]} for r in _rows(recent.head(20))
    ]
    return out


@api.get("", response_model=list[SurveyRow])
def list_surveys(store: StoreDep, user: Reader) -> list[SurveyRow]:
    """Surveys with invitations, answers and response rate."""
    return [SurveyRow.model_validate(r) for r in survey_list(store)]


@api.get("/{survey_id}/results", response_model=SurveyResults, responses=NOT_FOUND)
def results(survey_id: PathId, store: StoreDep, user: Reader, now: Now) -> SurveyResults:
    """Score with its interval, by category, comment themes and recent comments."""
    return SurveyResults.model_validate(survey_results(store, survey_id, now))


@pages.get("/surveys")
def surveys_page(request: Request, store: StoreDep, user: Reader) -> Response:
    return render(request, "surveys.html", {"nav": "surveys", "rows": survey_list(store)})


@pages.get("/surveys/{survey_id}")
def survey_page(
    request: Request, survey_id: PathId, store: StoreDep, user: Reader, now: Now
) -> Response:
    return render(
        request, "survey.html", {"nav": "surveys", **survey_results(store, survey_id, now)}
    )


def _limit(request: Request) -> None:
    limit_public(request, "requests to survey pages")


def _answer(form: dict[str, Any], categories: list[str], low: int, high: int) -> dict[str, Any]:
    def score_of(text: Any, what: str) -> int:
        try:
            value = int(str(text))
        except ValueError:
            raise InvalidInputError(f"choose a {what} from {low} to {high}") from None
        return value

    if form.get("score") in (None, ""):
        raise InvalidInputError(f"choose a score from {low} to {high}")
    cats = {c: score_of(form[f"cat_{c}"], c) for c in categories if form.get(f"cat_{c}")}
    return {
        "score": score_of(form["score"], "score"),
        "comment": (form.get("comment") or "").strip()[:5000] or None,
        "follow_up_answer": (form.get("follow_up_answer") or "").strip()[:5000] or None,
        "category_scores": cats or None,
    }


@public.api_route("/r/open/{key}", methods=["GET", "POST"])
async def open_response(request: Request, key: str, store: StoreDep, now: Now) -> Response:
    from retain.voice import submit_open_response, verify_open_key

    _limit(request)
    survey = verify_open_key(store, key, now=now)
    if request.method == "POST":
        form = dict(await request.form())
        answer = _answer(form, survey.categories, survey.scale_min, survey.scale_max)
        submit_open_response(store, key, now=now, **answer)
        return render(request, "thanks.html", {"survey": survey})
    return render(request, "respond.html", {"survey": survey, "answer": None})


@public.api_route("/r/{token}", methods=["GET", "POST"])
async def invited_response(request: Request, token: str, store: StoreDep, now: Now) -> Response:
    from retain.voice import submit_response, verify_token

    _limit(request)
    secret = request.app.state.survey_secret
    context = verify_token(store, token, secret=secret, now=now)
    survey = context.survey
    if request.method == "POST":
        form = dict(await request.form())
        answer = _answer(form, survey.categories, survey.scale_min, survey.scale_max)
        submit_response(store, token, secret=secret, now=now, **answer)
        return render(request, "thanks.html", {"survey": survey})
    return render(request, "respond.html", {"survey": survey, "answer": context.answer})
