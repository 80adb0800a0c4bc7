"""The quiet ones: low-effort answers and silent customers, flagged as at risk.

A "fine" or "ok" is not satisfaction: a passive with a one-word comment has
stopped caring enough to say more. A customer invited again and again who
never answers and buys less than before is slipping away without a word.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pandas as pd

from retain.errors import InvalidInputError
from retain.voice.breakdown import require
from retain.voice.text import is_low_effort

SILENT_COLUMNS = [
    "customer_id",
    "invitations",
    "last_invited_at",
    "orders_recent",
    "orders_before",
    "spend_recent_minor",
    "spend_before_minor",
    "reason",
]


def flag_low_effort(answers: pd.DataFrame) -> pd.DataFrame:
    """``answers`` with a boolean ``low_effort`` column (see :func:`is_low_effort`).

    Needs ``comment``. A missing comment is not flagged (nothing was written).
    """
    require(answers, "answers", ("comment",))
    flags = [is_low_effort(None if pd.isna(c) else str(c)) for c in answers["comment"]]
    return answers.assign(low_effort=pd.Series(flags, index=answers.index, dtype=bool))


def silent_customers(
    invitations: pd.DataFrame,
    answers: pd.DataFrame,
    orders: pd.DataFrame,
    *,
    as_of: datetime,
    min_invitations: int = 2,
    window_days: int = 180,
) -> pd.DataFrame:
    """Customers invited at least ``min_invitations`` times who never answered and buy less.

    ``invitations``: ``customer_id, invited_at, answered_at`` (invitations after
    ``as_of`` are ignored). ``answers``: ``customer_id`` of every answer or
    review (anyone in it has spoken). ``orders``: ``customer_id, ordered_at,
    amount_minor``. "Buying less": fewer orders, or less spend, in the last
    ``window_days`` before ``as_of`` than in the ``window_days`` before that.
    Columns: ``SILENT_COLUMNS``, most invitations first.
    """
    require(invitations, "invitations", ("customer_id", "invited_at", "answered_at"))
    require(answers, "answers", ("customer_id",))
    require(orders, "orders", ("customer_id", "ordered_at", "amount_minor"))
    if window_days < 1 or min_invitations < 1:
        raise InvalidInputError("window_days and min_invitations must be at least 1")
    at = pd.Timestamp(as_of)
    inv = invitations[pd.to_datetime(invitations["invited_at"], utc=True) <= at]
    per = inv.groupby("customer_id").agg(
        invitations=("invited_at", "size"),
        last_invited_at=("invited_at", "max"),
        answered=("answered_at", "count"),
    )
    spoke = set(answers["customer_id"].dropna().astype("int64"))
    per = per[(per["invitations"] >= min_invitations) & (per["answered"] == 0)]
    per = per[~per.index.isin(spoke)]
    if per.empty:
        return pd.DataFrame(columns=SILENT_COLUMNS)
    o = orders[orders["customer_id"].isin(per.index)].copy()
    t = pd.to_datetime(o["ordered_at"], utc=True)
    w = timedelta(days=window_days)
    recent = o[(t > at - w) & (t <= at)].groupby("customer_id")["amount_minor"]
    before = o[(t > at - 2 * w) & (t <= at - w)].groupby("customer_id")["amount_minor"]
    per["orders_recent"] = recent.size().reindex(per.index).fillna(0).astype(int)
    per["orders_before"] = before.size().reindex(per.index).fillna(0).astype(int)
    per["spend_recent_minor"] = recent.sum().reindex(per.index).fillna(0).astype("int64")
    per["spend_before_minor"] = before.sum().reindex(per.index).fillna(0).astype("int64")
    fewer = per["orders_recent"] < per["orders_before"]
    less = per["spend_recent_minor"] < per["spend_before_minor"]
    per = per[fewer | less].copy()
    per["reason"] = [
        f"invited {k} times, never answered; {r} order(s) in the last {window_days} days "
        f"against {b} before"
        for k, r, b in zip(
            per["invitations"], per["orders_recent"], per["orders_before"], strict=True
        )
    ]
    out = per.reset_index()[SILENT_COLUMNS]
    return out.sort_values(["invitations", "customer_id"], ascending=[False, True]).reset_index(
        drop=True
    )
