"""Segments for the web: sizes, one segment's portrait, members, over :mod:`retain.audience`.

Every figure needs the audience table (one row per customer: demographics,
stage, RFM, CLV, latest NPS; :func:`retain.audience.load_audience`), which
reads every order and fits the CLV models: seconds on a large store. The
table of a day is kept for ``[web] figures_ttl_seconds`` (like the dashboard
figures) and then renewed in the background (:class:`AudienceCache`); the
segments themselves are read from the store on every request, so a new or
deleted segment shows at once.
"""

from __future__ import annotations

import logging
import math
import threading
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd

from retain import audience
from retain.errors import InvalidInputError, RetainError
from retain.store import Store
from retain.store import audience as db

#: profile rows shown on a segment's page at most (the most over-represented first)
PROFILE_ROWS = 15
_CACHE_LOCK = threading.Lock()
log = logging.getLogger("retain.web")


class AudienceCache:
    """The audience table of one store as of a day, renewed when older than ``ttl`` seconds.

    The first request waits for the table (seconds on a large store). Later,
    a table that is stale (older than ``ttl``, or of another day) is still
    served while one background thread builds the new one, so that only the
    very first visitor waits; :meth:`wait` joins that thread.
    """

    def __init__(self, ttl: float, monotonic: Callable[[], float]) -> None:
        self.ttl, self.monotonic = ttl, monotonic
        self._key: date | None = None
        self._frame: pd.DataFrame | None = None
        self._at = -math.inf
        self._memo: dict[Any, Any] = {}
        self._lock = threading.Lock()
        self._first = threading.Lock()
        self._renewing: threading.Thread | None = None

    def _put(self, frame: pd.DataFrame, day: date) -> None:
        with self._lock:
            self._frame, self._key, self._at, self._memo = frame, day, self.monotonic(), {}

    def get(self, store: Store, day: date) -> pd.DataFrame:
        """The table as of ``day`` (or the previous one while it is renewed in the background)."""
        with self._lock:
            frame = self._frame
            stale = self._key != day or self.monotonic() - self._at > self.ttl
            if frame is not None and stale and self._renewing is None:
                self._renewing = threading.Thread(
                    target=self._renew, args=(store, day), name="audience-table", daemon=True
                )
                self._renewing.start()
        if frame is not None:
            return frame
        with self._first:  # the first requests wait for one computation, not one each
            if self._frame is None:
                self._put(audience.load_audience(store, day), day)
            assert self._frame is not None
            return self._frame

    def _renew(self, store: Store, day: date) -> None:
        try:
            self._put(audience.load_audience(store, day), day)
        except Exception:  # the old table stays; the next request tries again
            log.exception("renewing the audience table failed")
        finally:
            with self._lock:
                self._renewing = None

    def wait(self, timeout: float | None = None) -> None:
        """Wait for a background renewal to finish (if one runs)."""
        thread = self._renewing
        if thread is not None:
            thread.join(timeout)

    def derived(self, store: Store, day: date, key: Any, compute: Callable[[pd.DataFrame], Any]):
        """``compute(table)``, kept with the table of ``day`` under ``key`` until it is renewed."""
        frame = self.get(store, day)
        with self._lock:
            if key in self._memo:
                return self._memo[key]
        value = compute(frame)
        with self._lock:
            if self._frame is frame:
                self._memo[key] = value
        return value

    def clear(self) -> None:
        """Forget the table (after an import, for example)."""
        with self._lock:
            self._frame, self._memo = None, {}


def audience_cache(state: Any) -> AudienceCache:
    """The app's audience cache (made on first use, with the dashboard's TTL and clock)."""
    with _CACHE_LOCK:
        cache = getattr(state, "audience", None)
        if cache is None:
            cache = AudienceCache(state.web.figures_ttl_seconds, state.figures.monotonic)
            state.audience = cache
        return cache


def _limits() -> tuple[int, float]:
    cfg = audience.audience_settings()
    return int(cfg["min_segment_size"]), float(cfg["max_segment_share"])


def _plain(value: Any) -> Any:
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def size_of(frame: pd.DataFrame, segment: dict[str, Any]) -> dict[str, Any]:
    """A saved segment's size and worth (``SegmentSize`` fields), or its ``error``.

    ``warnings`` is a list (too small, everyone, empty); ``error`` is set
    instead of the figures when the saved filter cannot be applied any more;
    ``clv`` and ``value_share`` are None when no customer has a CLV.
    """
    out: dict[str, Any] = {k: segment.get(k) for k in ("name", "expression", "description")}
    min_size, max_share = _limits()
    try:
        mask = audience.evaluate(segment["expression"], frame)
        size = audience.segment_size(frame, mask, min_size=min_size, max_share=max_share)
    except InvalidInputError as exc:
        return {**out, "error": exc.message}
    figures = {**out, **size.__dict__, "warnings": list(size.warnings), "error": None}
    if "clv" not in frame.columns or not frame["clv"].notna().any():
        figures["clv"] = figures["value_share"] = None  # no CLV model could be fitted: unknown
    return figures


def overview(store: Store, frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Every saved segment, by name, with :func:`size_of` figures."""
    return [size_of(frame, s) for s in db.list_segments(store)]


def portrait(store: Store, frame: pd.DataFrame, name: str, *, alpha: float = 0.05) -> dict:
    """One segment: size, NPS, CLV, retention and stage mix beside everyone's, and its profile.

    ``compare``: rows of :func:`retain.audience.compare_segments` for the
    segment and ``everyone``; ``profile``: the traits that set it apart from
    the rest, significant after Benjamini-Hochberg at ``alpha``, most
    over-represented first (at most :data:`PROFILE_ROWS`), or
    ``profile_note`` saying why there is none.
    """
    segment = db.get_segment(store, name)
    out = size_of(frame, segment)
    if out["error"]:
        return {**out, "compare": [], "profile": [], "profile_note": out["error"]}
    mask = np.asarray(audience.evaluate(segment["expression"], frame), dtype=bool)
    compared = audience.compare_segments(
        frame, {name: mask, "everyone": np.ones(len(frame), dtype=bool)}
    )
    out["compare"] = [
        {str(k): _plain(v) for k, v in row.items()} for row in compared.to_dict("records")
    ]
    out["profile"], out["profile_note"] = [], None
    try:
        traits = audience.profile(frame, mask, alpha=alpha)
    except RetainError as exc:
        out["profile_note"] = exc.message
        return out
    traits = traits[traits["significant"]]
    if traits.empty:
        out["profile_note"] = f"no trait sets this segment apart (false discovery rate {alpha:g})"
    out["profile"] = [
        {str(k): _plain(v) for k, v in row.items()}
        for row in traits.head(PROFILE_ROWS).to_dict("records")
    ]
    return out


def cached_portrait(store: Store, cache: AudienceCache, day: date, name: str) -> dict:
    """:func:`portrait` (its profile takes seconds on 100,000 customers), kept with the table.

    Keyed by name and filter, so a segment saved again with another filter is recomputed.
    """
    segment = db.get_segment(store, name)
    key = ("portrait", name, segment["expression"], segment["description"])
    return cache.derived(store, day, key, lambda frame: portrait(store, frame, name))


def members(store: Store, frame: pd.DataFrame, name: str) -> list[str]:
    """External ids of the segment's customers, sorted."""
    segment = db.get_segment(store, name)
    mask = audience.evaluate(segment["expression"], frame)
    return sorted(frame.loc[np.asarray(mask, dtype=bool), "customer_id"].astype(str))


def create(
    store: Store, name: str, expression: str, description: str | None, now: datetime
) -> None:
    """Check the filter and save the segment (FilterError with the column, ConflictError)."""
    audience.create_segment(store, name, expression, now, description=description or None)


def delete(store: Store, name: str) -> None:
    """Remove a saved segment (NotFoundError when there is none of that name)."""
    db.delete_segment(store, name)


def major_money(value: float | None, currency: str) -> str:
    """An amount in currency units (as the audience table holds it) shown like ``money``."""
    from babel.numbers import get_currency_precision

    from retain.web.pages import money

    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return money(round(value * 10 ** get_currency_precision(currency)), currency)


def field_help() -> list[tuple[str, str]]:
    """The filter language's fields and what each holds, for the create form."""
    return sorted(audience.FIELDS.items())
