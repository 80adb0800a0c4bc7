"""The audiences on a records store: saved segments, members, duplicates, competitors.

These functions read the store (through :mod:`retain.store.audience` and
:mod:`retain.store.frames`), call the pure functions of this package and
write back; the CLI and the web app call them.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pandas as pd

from retain.audience.attributes import FIELDS, audience_frame
from retain.audience.competitors import match_competitors
from retain.audience.dedupe import find_duplicates
from retain.audience.filters import FilterError, conditions, evaluate, fields, parse
from retain.audience.sizing import DEFAULTS
from retain.config import Settings, load_settings, section
from retain.errors import InvalidInputError, NotFoundError
from retain.store import Store
from retain.store import audience as db
from retain.store.frames import read_arrow

__all__ = [
    "audience_settings",
    "check_expression",
    "confirm_competitors",
    "create_segment",
    "duplicate_candidates",
    "excluded_customer_ids",
    "flag_competitors",
    "load_audience",
    "merge_duplicates",
    "segment_members",
    "segment_memberships",
    "undo_merge",
]


def audience_settings(settings: Settings | None = None) -> dict[str, Any]:
    """The ``[audience]`` section of retain.toml over :data:`retain.audience.sizing.DEFAULTS`."""
    return section(settings or load_settings(), "audience", DEFAULTS)


def check_expression(expression: str) -> None:
    """Parse ``expression`` and check that it names only known fields (FilterError otherwise)."""
    known = {f.lower() for f in FIELDS}
    for condition in conditions(parse(expression)):
        if str(condition.field).lower() not in known:
            raise FilterError(
                f"unknown field {condition.field!r}; known fields: {', '.join(sorted(FIELDS))}",
                expression,
                condition.position,
            )


def excluded_customer_ids(store: Store) -> set[int]:
    """Store ids to leave out of analytics and outreach: confirmed competitors and
    customers merged into another (their records now belong to the survivor)."""
    return db.excluded_ids(store)


def load_audience(store: Store, as_of: date | datetime | str, *, value: bool = True):
    """The audience table (:func:`retain.audience.audience_frame`) of the store as of a date.

    Confirmed competitors and merged-away customers are left out.
    """
    customers = db.customer_frame(store)
    customers = customers[customers["competitor_status"] != "confirmed"]
    orders = read_arrow(store, "orders")
    feedback = read_arrow(store, "feedback")
    from retain.analytics import DEFAULTS as LIFECYCLE

    lifecycle = section(load_settings(), "lifecycle", LIFECYCLE)
    return audience_frame(customers, orders, as_of, feedback, settings=lifecycle, value=value)


def create_segment(
    store: Store,
    name: str,
    expression: str,
    now: datetime,
    *,
    description: str | None = None,
    replace: bool = False,
) -> int:
    """Check and save a segment; its id. FilterError for a bad expression."""
    if not name or not name.strip():
        raise InvalidInputError("a segment needs a name")
    check_expression(expression)
    return db.save_segment(store, name.strip(), expression, description, now, replace=replace)


def segment_members(store: Store, name: str, as_of: date | datetime | str) -> set[int]:
    """Store ids of the customers in saved segment ``name`` as of a date.

    Confirmed competitors and merged-away duplicates are never members.
    """
    return set(segment_memberships(store, as_of, [name])["customer_id"].tolist())


def segment_memberships(
    store: Store, as_of: date | datetime | str, names: list[str] | None = None
) -> pd.DataFrame:
    """Who is in which saved segment as of a date: columns ``customer_id`` (store id), ``segment``.

    One row per customer and segment he belongs to: a customer may be in
    several segments, or in none (then he has no row). ``names``: these
    segments (NotFoundError for an unknown one), default every saved segment.
    The audience table is built once for all of them; confirmed competitors
    and merged-away duplicates are never members.
    """
    segments = [db.get_segment(store, n) for n in names] if names else db.list_segments(store)
    if not segments:
        raise NotFoundError(
            "no saved segments: create one with retain segments create NAME 'FILTER'"
        )
    used = {f.lower() for s in segments for f in fields(parse(s["expression"]))}
    frame = load_audience(store, as_of, value=bool({"clv", "p_alive"} & used))
    parts = [
        pd.DataFrame(
            {
                "customer_id": frame.loc[evaluate(s["expression"], frame), "id"].astype("int64"),
                "segment": s["name"],
            }
        )
        for s in segments
    ]
    return pd.concat(parts, ignore_index=True)


def duplicate_candidates(
    store: Store, *, min_score: float | None = None, default_region: str | None = None
) -> pd.DataFrame:
    """Likely duplicate pairs among the store's customers (not merged yet), best first.

    ``customer_id_a``/``customer_id_b`` are external ids; ``id_a``/``id_b`` the store ids.
    """
    cfg = audience_settings()
    customers = db.customer_frame(store)
    pairs = find_duplicates(
        customers,
        min_score=cfg["dedupe_min_score"] if min_score is None else min_score,
        default_region=default_region or cfg["default_region"],
    )
    ext = dict(zip(customers["customer_id"], customers["external_id"], strict=True))
    pairs.insert(0, "id_a", pairs["customer_id_a"])
    pairs.insert(1, "id_b", pairs["customer_id_b"])
    pairs["customer_id_a"] = pairs["id_a"].map(ext)
    pairs["customer_id_b"] = pairs["id_b"].map(ext)
    return pairs


def merge_duplicates(
    store: Store, survivor: str, merged: str, now: datetime, *, by: str | None = None
) -> int:
    """Merge customer ``merged`` into ``survivor`` (external ids); the audit id for undo."""
    ids = db.customer_ids(store, [survivor, merged])
    evidence = None
    score = None
    rows = db.customer_frame(store)
    pair = rows[rows["customer_id"].isin([ids[survivor], ids[merged]])]
    if len(pair) == 2:
        found = find_duplicates(pair, min_score=0.0)
        if len(found):
            score, evidence = float(found["score"].iloc[0]), str(found["evidence"].iloc[0])
    return db.merge_customers(
        store, ids[survivor], ids[merged], now, by=by, score=score, evidence=evidence
    )


def undo_merge(store: Store, merge_id: int, now: datetime) -> dict[str, Any]:
    """Undo a merge: records, fields and flags exactly as before it."""
    return db.undo_merge(store, merge_id, now)


def flag_competitors(
    store: Store,
    now: datetime,
    *,
    names: list[str] | None = None,
    domains: list[str] | None = None,
    threshold: float | None = None,
) -> pd.DataFrame:
    """Mark customers matching the competitor list ``suspected``; the matches (external ids).

    Lists default to ``[audience] competitors`` and ``competitor_domains``;
    confirmed customers stay confirmed. Column ``status`` is each one's status now.
    """
    cfg = audience_settings()
    names = list(cfg["competitors"] if names is None else names)
    domains = list(cfg["competitor_domains"] if domains is None else domains)
    if not names and not domains:
        raise InvalidInputError(
            "no competitors to look for: list them in retain.toml ([audience] competitors = "
            '["Rival GmbH"], competitor_domains = ["rival.com"]) or give --name/--domain'
        )
    customers = db.customer_frame(store)
    found = match_competitors(
        customers,
        names,
        domains,
        threshold=float(cfg["competitor_match"] if threshold is None else threshold),
    )
    ids = found["customer_id"].astype(int).tolist()
    db.set_competitor_status(store, ids, "suspected", now, only_from="none")
    status = dict(zip(customers["customer_id"], customers["competitor_status"], strict=True))
    ext = dict(zip(customers["customer_id"], customers["external_id"], strict=True))
    found["status"] = [
        "suspected" if status.get(i) == "none" else status.get(i) for i in found["customer_id"]
    ]
    found["customer_id"] = found["customer_id"].map(ext)
    return found


def confirm_competitors(
    store: Store, external: list[str], now: datetime, *, status: str = "confirmed"
) -> int:
    """Set the competitor status (confirmed, or none to clear) of customers by external id."""
    ids = db.customer_ids(store, external)
    return db.set_competitor_status(store, ids.values(), status, now)
