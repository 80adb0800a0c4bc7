"""Creating and changing records from the web and the API, and the customer 360 view.

Thin service functions over :mod:`retain.store.customers`: they fill the
columns a caller does not set (times, derived scores, owner ids) and check
rules that span fields.
"""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from retain.errors import InvalidInputError
from retain.store import Store
from retain.store import customers as db
from retain.web.pages import money


def _owner(store: Store, values: dict[str, Any]) -> dict[str, Any]:
    if "owner" in values:
        owner = values.pop("owner")
        values["owner_id"] = db.user_id_for(store, owner) if owner else None
    return values


def create_customer(store: Store, values: dict[str, Any], *, now: datetime) -> int:
    """Add a customer; ``owner`` is a username. Returns the new id."""
    values = _owner(store, dict(values))
    if values.get("email_consent") is not None:
        values["consent_updated_at"] = now
    values.setdefault("do_not_contact", False)
    return db.create_record(store, "customers", {**values, "created_at": now, "updated_at": now})


def update_customer(
    store: Store, customer_id: int, changes: dict[str, Any], *, now: datetime
) -> None:
    """Change the fields given (``owner``: a username, or None to clear it)."""
    changes = _owner(store, dict(changes))
    if "email_consent" in changes:
        changes["consent_updated_at"] = now
    db.update_record(store, "customers", customer_id, {**changes, "updated_at": now})


def create_order(store: Store, values: dict[str, Any], *, now: datetime) -> int:
    """Add an order of an existing customer."""
    return db.create_record(store, "orders", {**values, "created_at": now, "updated_at": now})


def update_order(store: Store, order_id: int, changes: dict[str, Any], *, now: datetime) -> None:
    """Change an order; the refund may not exceed the amount."""
    current = db.record(store, "orders", order_id)
    merged = {**current, **changes}
    if merged["refunded_minor"] > merged["amount_minor"]:
        raise InvalidInputError(
            f"refunded_minor {merged['refunded_minor']} is larger than amount_minor "
            f"{merged['amount_minor']}"
        )
    db.update_record(store, "orders", order_id, {**changes, "updated_at": now})


def create_interaction(
    store: Store, values: dict[str, Any], *, now: datetime, user_id: int | None = None
) -> int:
    """Log a touchpoint of an existing customer (``user_id``: who logged it)."""
    row = {**values, "user_id": user_id, "created_at": now, "updated_at": now}
    return db.create_record(store, "interactions", row)


def update_interaction(
    store: Store, interaction_id: int, changes: dict[str, Any], *, now: datetime
) -> None:
    """Change a touchpoint."""
    db.update_record(store, "interactions", interaction_id, {**changes, "updated_at": now})


def nps_equivalent(score: Decimal, low: int, high: int) -> int:
    """A score on its own scale as 0-10 (rounded half up): 4 of 1..5 -> 8."""
    return int((Decimal(10) * (score - low) / (high - low)).quantize(Decimal(1), ROUND_HALF_UP))


def create_feedback(store: Store, values: dict[str, Any], *, now: datetime) -> int:
    """Add a survey answer or review; its 0-10 ``nps_score`` is derived from the score."""
    score = Decimal(str(values["score"])).quantize(Decimal("0.01"), ROUND_HALF_UP)
    row = {
        **values,
        "score": score,
        "nps_score": nps_equivalent(score, values["score_min"], values["score_max"]),
        "created_at": now,
        "updated_at": now,
    }
    return db.create_record(store, "feedback", row)


def update_feedback(
    store: Store, feedback_id: int, changes: dict[str, Any], *, now: datetime
) -> None:
    """Change the text or topic of feedback."""
    db.update_record(store, "feedback", feedback_id, {**changes, "updated_at": now})


def _title(entry: dict[str, Any]) -> tuple[str, str | None]:
    kind = entry["event"]
    if kind == "order":
        status = "" if entry["status"] == "paid" else f" ({entry['status']})"
        what = entry["product_category"] or "order"
        return f"{what}: {money(entry['amount_minor'], entry['currency'])}{status}", entry[
            "channel"
        ]
    if kind == "interaction":
        what = " ".join(x for x in (entry["direction"], entry["channel"], entry["kind"]) if x)
        return what, entry["note"]
    if kind == "feedback":
        scale = f"{entry['score']:g}/{entry['score_max']}" if entry["score"] is not None else ""
        where = entry.get("survey_name") or entry["source"]
        return f"{entry['kind'].upper()} {scale} ({where})", entry["comment"]
    return f"case: {entry['subject']} [{entry['status']}, {entry['priority']}]", entry[
        "description"
    ]


def customer_360(store: Store, customer_id: int, *, limit: int = 200) -> dict[str, Any]:
    """A customer with order totals, rep, open cases and one timeline (newest first)."""
    profile = db.customer_profile(store, customer_id)
    timeline = []
    for entry in db.customer_timeline(store, customer_id, limit):
        title, detail = _title(entry)
        timeline.append(
            {
                "kind": entry["event"],
                "id": entry["id"],
                "at": entry["at"],
                "title": title,
                "detail": detail,
                "record": entry,
            }
        )
    return {
        "customer": profile,
        "owner_username": profile["owner_username"],
        "first_order_at": profile["first_order_at"],
        "open_cases": profile["open_cases"],
        "timeline": timeline,
    }
