"""Helpers of the audience tests: a small business written straight to the store."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from retain.store import Store
from retain.store.schema import (
    Case,
    Customer,
    Feedback,
    Interaction,
    Order,
    Survey,
    SurveyInvitation,
)

NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


def add_customer(store: Store, external_id: str, **values) -> int:
    """Insert one customer; his store id."""
    base = {"external_id": external_id, "created_at": NOW, "updated_at": NOW}
    with store.session() as s:
        row = Customer(**{**base, **values})
        s.add(row)
        s.flush()
        return row.id


def add_history(store: Store, customer_id: int, tag: str, n_orders: int = 2) -> None:
    """Orders, an interaction, an NPS answer, a case and a survey invitation for a customer."""
    with store.session() as s:
        for k in range(n_orders):
            s.add(
                Order(
                    external_id=f"o-{tag}-{k}",
                    customer_id=customer_id,
                    ordered_at=NOW - timedelta(days=30 * (k + 1)),
                    amount_minor=1000 * (k + 1),
                    currency="EUR",
                    product_category="Shoes",
                    created_at=NOW,
                    updated_at=NOW,
                )
            )
        s.add(
            Interaction(
                external_id=f"i-{tag}",
                customer_id=customer_id,
                occurred_at=NOW - timedelta(days=3),
                channel="email",
                created_at=NOW,
                updated_at=NOW,
            )
        )
        survey = s.query(Survey).filter_by(name="nps").one_or_none()
        if survey is None:
            survey = Survey(name="nps", question="Recommend us?", created_at=NOW)
            s.add(survey)
            s.flush()
        invitation = SurveyInvitation(
            survey_id=survey.id,
            customer_id=customer_id,
            nonce=f"nonce-{tag}",
            invited_at=NOW - timedelta(days=5),
            expires_at=NOW + timedelta(days=5),
        )
        s.add(invitation)
        s.flush()
        answer = Feedback(
            external_id=f"f-{tag}",
            customer_id=customer_id,
            survey_id=survey.id,
            invitation_id=invitation.id,
            score=9,
            nps_score=9,
            responded_at=NOW - timedelta(days=2),
            created_at=NOW,
            updated_at=NOW,
        )
        s.add(answer)
        s.add(
            Case(
                customer_id=customer_id,
                subject=f"case {tag}",
                opened_at=NOW - timedelta(days=1),
                created_at=NOW,
                updated_at=NOW,
            )
        )


@pytest.fixture
def now() -> datetime:
    return NOW
