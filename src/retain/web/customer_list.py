"""The customer list's stage and segment filters, and the stage shown beside each customer.

Both need a whole-store computation, so both come from caches of the app:

- stages: the dashboard's figures (:class:`retain.web.dashboard.FigureCache`),
  computed from the records at most every ``[web] figures_ttl_seconds``; the
  list says as of when. A stage filter computes them if no page has yet.
- segments: the members of a saved segment (:func:`retain.audience.segment_members`),
  kept per segment for the same time (:class:`SegmentCache`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any

from retain.store import Store


def stage_table(state: Any, store: Store, *, compute: bool) -> tuple[Any, datetime | None]:
    """The dashboard's stage table (pandas, by customer id) and its as-of time, or
    ``(None, None)`` when not computed yet and ``compute`` is False."""
    figures = (
        state.figures.get(store, state.settings, state.clock()) if compute else state.figures.peek()
    )
    if not figures or figures.get("_stages") is None:
        return None, (datetime.fromisoformat(figures["as_of"]) if figures else None)
    return figures["_stages"], datetime.fromisoformat(figures["as_of"])


def stage_members(state: Any, store: Store, stage: str) -> tuple[set[int], datetime | None]:
    """Ids of the customers in ``stage`` by the dashboard's stage table, and its time."""
    stages, as_of = stage_table(state, store, compute=True)
    if stages is None:  # no customers, or no life-cycle analytics
        return set(), as_of
    return {int(i) for i in stages.index[stages["stage"] == stage]}, as_of


def add_stages(state: Any, store: Store, rows: list[dict[str, Any]]) -> datetime | None:
    """Set ``stage`` and ``stage_as_of`` on customer rows from the cached stage table
    (None when it is not computed yet: a plain list never computes it)."""
    stages, as_of = stage_table(state, store, compute=False)
    for row in rows:
        found = stages is not None and row["id"] in stages.index
        row["stage"] = str(stages.at[row["id"], "stage"]) if found else None
        row["stage_as_of"] = as_of if found else None
    return as_of if stages is not None else None


class SegmentCache:
    """Members of saved segments, each recomputed at most every ``ttl`` seconds."""

    def __init__(self, ttl: float, monotonic: Callable[[], float]) -> None:
        self.ttl, self.monotonic = ttl, monotonic
        self._members: dict[str, tuple[float, set[int]]] = {}
        self._lock = threading.Lock()

    def members(self, store: Store, name: str, now: datetime) -> set[int]:
        """Store ids of the customers in segment ``name`` (NotFoundError if none is saved)."""
        from retain.audience import segment_members

        with self._lock:
            kept = self._members.get(name)
            if kept is None or self.monotonic() - kept[0] > self.ttl:
                kept = (self.monotonic(), segment_members(store, name, now))
                self._members[name] = kept
            return kept[1]


def segment_members_of(state: Any, store: Store, name: str) -> set[int]:
    """The members of segment ``name`` through the app's :class:`SegmentCache`."""
    cache = getattr(state, "segment_members", None)
    if cache is None:
        cache = state.segment_members = SegmentCache(state.figures.ttl, state.figures.monotonic)
    return cache.members(store, name, state.clock())
