"""Helpers of the outreach tests: hand-made customers, orders, opinions, cases, contacts."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pandas as pd

from retain.outreach import outreach_settings
from retain.outreach.rules import FACT_COLUMNS
from retain.store import Store
from retain.store.schema import Case, Customer, Feedback, Interaction, Order, User

#: a Wednesday at noon UTC (outside the default quiet hours), ISO week 2026-W11
NOW = datetime(2026, 3, 11, 12, 0, tzinfo=UTC)
SECRET = "outreach-test-secret-0123456789"


def cfg(**over: Any) -> dict[str, Any]:
    """Outreach settings for tests (quiet hours off unless given)."""
    return outreach_settings({"quiet_hours": "", **over})


class Seed:
    """Writes records straight to the store; each method returns the new row's id."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def _add(self, row: Any) -> int:
        with self.store.session() as s:
            s.add(row)
            s.flush()
            new_id = row.id
            s.commit()
        return int(new_id)

    def user(self, username: str) -> int:
        return self._add(User(username=username, role="agent", created_at=NOW))

    def customer(self, ext: str, *, email: str | None = "", **values: Any) -> int:
        mail = f"{ext.lower()}@example.com" if email == "" else email
        return self._add(
            Customer(
                external_id=ext,
                name=values.pop("name", f"Name {ext}"),
                email=mail,
                created_at=NOW - timedelta(days=2000),
                updated_at=NOW - timedelta(days=2000),
                **values,
            )
        )

    def order(self, cid: int, days_ago: float, amount_minor: int = 10_000, **values: Any) -> int:
        at = NOW - timedelta(days=days_ago)
        return self._add(
            Order(
                external_id=f"O-{uuid.uuid4().hex[:10]}",
                customer_id=cid,
                ordered_at=at,
                amount_minor=amount_minor,
                currency="EUR",
                created_at=at,
                updated_at=at,
                **values,
            )
        )

    def orders(self, cid: int, days_ago: list[float], amount_minor: int = 10_000) -> None:
        for d in days_ago:
            self.order(cid, d, amount_minor)

    def feedback(self, cid: int, days_ago: float, score: int) -> int:
        at = NOW - timedelta(days=days_ago)
        return self._add(
            Feedback(
                external_id=f"F-{uuid.uuid4().hex[:10]}",
                customer_id=cid,
                score=score,
                nps_score=score,
                responded_at=at,
                created_at=at,
                updated_at=at,
            )
        )

    def case(self, cid: int, *, due_in_hours: float, subject: str = "late parcel") -> int:
        return self._add(
            Case(
                customer_id=cid,
                subject=subject,
                opened_at=NOW - timedelta(hours=30),
                first_response_due_at=NOW + timedelta(hours=due_in_hours),
                resolution_due_at=NOW + timedelta(hours=due_in_hours + 48),
                created_at=NOW - timedelta(hours=30),
                updated_at=NOW - timedelta(hours=30),
            )
        )

    def contact(
        self, cid: int, days_ago: float, channel: str = "email", direction: str = "outbound"
    ) -> int:
        at = NOW - timedelta(days=days_ago)
        return self._add(
            Interaction(
                external_id=f"I-{uuid.uuid4().hex[:10]}",
                customer_id=cid,
                occurred_at=at,
                channel=channel,
                direction=direction,
                kind="call" if channel == "phone" else "newsletter",
                created_at=at,
                updated_at=at,
            )
        )


def facts(*rows: dict[str, Any]) -> pd.DataFrame:
    """A customer-facts table of hand-made rows (unnamed facts are missing)."""
    base = {c: None for c in FACT_COLUMNS}
    base.update(
        stage="active",
        substage="",
        purchases=2.0,
        days_since_last_order=10.0,
        expected_gap_days=60.0,
        days_since_first_order=100.0,
        value_minor=10_000,
        letter_this_year=False,
        value_source="revenue_per_year",
    )
    frame = pd.DataFrame([{**base, **r} for r in rows])
    for col in (
        "purchases",
        "days_since_last_order",
        "expected_gap_days",
        "days_since_first_order",
        "nps_score",
        "nps_days_ago",
        "case_id",
        "case_due_hours",
    ):
        frame[col] = frame[col].astype("float")
    return frame
