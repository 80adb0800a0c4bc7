"""Scores per saved segment: NPS (or CSAT) of each segment's members, side by side.

A customer may belong to several saved segments; his answers then count in
each of them (unlike a ``--segments FILE`` of one label per customer). Each
segment is scored by :func:`retain.voice.report.score_report` on the answers
of its members as of a date, so counts, margins of error, intervals and the
baseline comparison are exactly those of ``retain nps``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pandas as pd

from retain.audience.service import segment_memberships
from retain.store import Store

__all__ = ["segment_scores"]


def segment_scores(
    store: Store,
    scope: Any = None,
    *,
    as_of: date | datetime,
    names: list[str] | None = None,
    **options: Any,
) -> pd.DataFrame:
    """One score row per saved segment (``group`` = the segment's name), in the order given.

    ``scope``: a :class:`retain.voice.report.Scope` (which answers); ``as_of``:
    the date the segments' members are taken at; ``names``: these segments
    (default: every saved one); ``options`` go to ``score_report`` (``baseline``,
    ``confidence``, ``min_n``). A segment none of whose members answered has no row.
    """
    from retain.voice.report import Scope, score_report

    members = segment_memberships(store, as_of, names)
    order = list(dict.fromkeys(names or members["segment"].tolist()))
    rows = []
    for name in order:
        ids = members.loc[members["segment"] == name, "customer_id"]
        table = score_report(
            store,
            scope or Scope(),
            by="segment",
            segments=dict.fromkeys(ids.astype(int).tolist(), name),
            **options,
        )
        rows.append(table[table["group"] == name])
    if not rows:
        return pd.DataFrame()
    return pd.concat(rows, ignore_index=True)
