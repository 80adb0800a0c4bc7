"""Surveys and invitations: define an NPS or CSAT survey, invite an audience, export links.

Survey fatigue is guarded three ways when inviting: nobody is invited again
within ``recontact_days`` of his last invitation or answer, an optional random
``sample`` of the audience is drawn, and do-not-contact customers, customers
who withdrew e-mail consent, merged duplicates and confirmed competitors are
never invited.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from retain.errors import InvalidInputError
from retain.store import Store
from retain.store import voice as db
from retain.voice.tokens import (
    SurveyLinkError,
    _serializer,
    invitation_link,
    invitation_link_token,
    new_nonce,
    new_open_link_key,
)

KINDS = ("nps", "csat")
SCALES = {"nps": (0, 10), "csat": (1, 5)}
DEFAULT_QUESTIONS = {
    "nps": "How likely are you to recommend us to a friend or colleague?",
    "csat": "How satisfied are you with us?",
}


@dataclass(frozen=True)
class SurveyInfo:
    """What a response page needs to know about a survey; scores run ``scale_min..scale_max``."""

    id: int
    name: str
    kind: str
    question: str
    follow_up_question: str | None
    categories: list[str]
    status: str
    opens_at: datetime | None
    closes_at: datetime | None
    has_open_link: bool

    @property
    def scale_min(self) -> int:
        """Lowest score of the survey's scale (0 for NPS, 1 for CSAT)."""
        return SCALES[self.kind][0]

    @property
    def scale_max(self) -> int:
        """Highest score of the survey's scale (10 for NPS, 5 for CSAT)."""
        return SCALES[self.kind][1]

    def is_open(self, now: datetime) -> bool:
        """True if answers are taken at ``now``."""
        if self.status != "open":
            return False
        if self.opens_at is not None and now < self.opens_at:
            return False
        return self.closes_at is None or now < self.closes_at

    def check_open(self, now: datetime) -> None:
        """SurveyLinkError("closed") unless the survey takes answers at ``now``."""
        if not self.is_open(now):
            raise SurveyLinkError("closed", f"the survey {self.name!r} does not take answers now")


def survey_info(row: dict[str, Any]) -> SurveyInfo:
    """A :class:`SurveyInfo` from a ``surveys`` row."""
    return SurveyInfo(
        id=int(row["id"]),
        name=row["name"],
        kind=row["kind"],
        question=row["question"],
        follow_up_question=row.get("follow_up_question"),
        categories=list(row.get("categories") or []),
        status=row["status"],
        opens_at=row.get("opens_at"),
        closes_at=row.get("closes_at"),
        has_open_link=row.get("open_link_key") is not None,
    )


def create_survey(
    store: Store,
    name: str,
    *,
    now: datetime,
    kind: str = "nps",
    question: str | None = None,
    follow_up_question: str | None = None,
    categories: Sequence[str] = (),
    open_link: bool = False,
    opens_at: datetime | None = None,
    closes_at: datetime | None = None,
) -> int:
    """Create an NPS (0-10) or CSAT (1-5) survey; returns its id.

    ``categories`` (e.g. Service, Support, Product) are scored separately on the
    same scale; ``open_link`` adds an anonymous link anyone can answer.
    """
    name = (name or "").strip()
    if not name:
        raise InvalidInputError("a survey needs a name, e.g. 'NPS 2026'")
    if kind not in KINDS:
        raise InvalidInputError(f"unknown survey kind {kind!r}; use nps or csat")
    cats = [c.strip() for c in categories]
    if any(not c or len(c) > 100 for c in cats) or len(set(cats)) != len(cats):
        raise InvalidInputError(
            f"categories must be distinct, non-empty names of at most 100 characters: {cats!r}"
        )
    if opens_at and closes_at and closes_at <= opens_at:
        raise InvalidInputError("closes_at must be after opens_at")
    return db.create_survey(
        store,
        name=name,
        kind=kind,
        question=(question or DEFAULT_QUESTIONS[kind]).strip(),
        follow_up_question=follow_up_question,
        categories=cats or None,
        status="open",
        open_link_key=new_open_link_key() if open_link else None,
        opens_at=opens_at,
        closes_at=closes_at,
        created_at=now,
    )


def get_survey(store: Store, ref: int | str) -> SurveyInfo:
    """The survey with id or name ``ref``."""
    return survey_info(db.get_survey(store, ref))


@dataclass(frozen=True)
class Invitation:
    """One customer's invitation; ``token`` goes into the link (see ``invitation_link``)."""

    id: int
    survey_id: int
    customer_id: int
    email: str | None
    name: str | None
    invited_at: datetime
    expires_at: datetime
    token: str


def _sample_size(sample: int | float, available: int) -> int:
    if isinstance(sample, bool) or sample <= 0:
        raise InvalidInputError(f"sample must be a count >= 1 or a share in (0, 1), not {sample!r}")
    if isinstance(sample, float) and sample < 1:
        return round(sample * available)
    if isinstance(sample, float) and sample != int(sample):
        raise InvalidInputError(f"sample must be a count >= 1 or a share in (0, 1), not {sample!r}")
    return min(int(sample), available)


def invite(
    store: Store,
    survey_id: int,
    *,
    now: datetime,
    expires_in_days: int = 30,
    recontact_days: int = 90,
    sample: int | float | None = None,
    seed: int | None = None,
    secret: str,
    customer_ids: Sequence[int] | None = None,
    channel: str | None = None,
) -> list[Invitation]:
    """Invite the eligible audience to a survey; one signed, expiring link each.

    ``customer_ids`` narrows the audience (default: every customer).
    ``sample``: a count, or a share in (0, 1), drawn at random (``seed`` repeats a
    draw). Nobody invited to any survey, or who answered one, in the last
    ``recontact_days`` is invited; see the module docstring for who else is left out.
    """
    _serializer(secret)  # a usable secret before anything is written
    if expires_in_days < 1:
        raise InvalidInputError(f"expires_in_days must be at least 1, not {expires_in_days}")
    if recontact_days < 0:
        raise InvalidInputError(f"recontact_days must be 0 or more, not {recontact_days}")
    survey = get_survey(store, survey_id)
    survey.check_open(now)
    audience = db.invitation_candidates(
        store,
        survey.id,
        contacted_since=now - timedelta(days=recontact_days),
        customer_ids=customer_ids,
    )
    if sample is not None:
        k = _sample_size(sample, len(audience))
        rng = np.random.default_rng(seed)
        pick = np.sort(rng.choice(len(audience), size=k, replace=False))
        audience = audience.iloc[pick]
    expires = now + timedelta(days=expires_in_days)
    if survey.closes_at is not None:
        expires = min(expires, survey.closes_at)
    rows = [
        {
            "survey_id": survey.id,
            "customer_id": int(cid),
            "nonce": new_nonce(),
            "invited_at": now,
            "expires_at": expires,
            "channel": channel,
        }
        for cid in audience["customer_id"]
    ]
    ids = db.insert_invitations(store, rows)
    return [
        Invitation(
            id=iid,
            survey_id=survey.id,
            customer_id=row["customer_id"],
            email=_text(email),
            name=_text(name),
            invited_at=now,
            expires_at=expires,
            token=invitation_link_token(survey.id, row["nonce"], secret=secret),
        )
        for iid, row, email, name in zip(
            ids, rows, audience["email"], audience["name"], strict=True
        )
    ]


def mark_invitations_sent(
    store: Store, invitation_ids: Sequence[int], *, now: datetime, channel: str = "email"
) -> int:
    """Record that these invitations went out (``sent_at``, ``channel``); returns how many.

    For the outreach capability or a mail tool's delivery report; invitations
    already marked sent keep their first time.
    """
    return db.mark_sent(store, invitation_ids, now=now, channel=channel)


def _text(value: Any) -> str | None:
    return None if value is None or (isinstance(value, float) and np.isnan(value)) else value


def invitation_table(
    store: Store, survey_id: int, *, secret: str, base_url: str | None = None
) -> pd.DataFrame:
    """Every invitation of a survey with its link, ready for a mail tool.

    Columns: ``invitation_id, customer_id, email, name, token, link, invited_at,
    expires_at, answered_at`` (``link`` only when ``base_url`` is given).
    """
    frame = db.invitations(store, survey_id)
    tokens = [invitation_link_token(survey_id, n, secret=secret) for n in frame["nonce"]]
    out = pd.DataFrame(
        {
            "invitation_id": frame["id"],
            "customer_id": frame["customer_id"],
            "email": frame["email"],
            "name": frame["name"],
            "token": tokens,
            "link": [invitation_link(base_url, t) for t in tokens] if base_url else None,
            "invited_at": frame["invited_at"],
            "expires_at": frame["expires_at"],
            "answered_at": frame["answered_at"],
        }
    )
    return out if base_url else out.drop(columns="link")


def export_invitations(invitations: pd.DataFrame, path: str | Path) -> Path:
    """Write an :func:`invitation_table` as UTF-8 CSV for any mail tool; returns the path."""
    path = Path(path)
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(list(invitations.columns))
        for row in invitations.itertuples(index=False):
            writer.writerow(
                [
                    "" if v is None or (not isinstance(v, str) and pd.isna(v)) else _iso(v)
                    for v in row
                ]
            )
    return path


def _iso(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def response_rates(store: Store) -> pd.DataFrame:
    """Per survey: invitations, answered invitations, answers held, and the response rate.

    ``response_rate`` = answered invitations / invitations (None without
    invitations); open-link answers count in ``responses`` but not in the rate.
    """
    frame = db.survey_overview(store)
    invited = frame["invited"].astype(float)
    frame["response_rate"] = (frame["answered"] / invited.where(invited > 0)).round(4)
    return frame
