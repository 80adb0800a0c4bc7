"""Merging duplicates on SQLite and PostgreSQL: records move, fields fill, undo restores exactly."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from tests.audience.conftest import NOW, add_customer, add_history

from retain.audience import excluded_customer_ids, merge_duplicates, undo_merge
from retain.errors import ConflictError, InvalidInputError, NotFoundError
from retain.store import audience as db
from retain.store.schema import (
    Case,
    Customer,
    CustomerMerge,
    Feedback,
    Interaction,
    Order,
    SurveyInvitation,
)

TABLES = (Customer, Order, Interaction, Feedback, Case, SurveyInvitation)


def snapshot(store) -> dict[str, list[tuple]]:
    """Every row of the record tables, in id order."""
    out = {}
    with store.read() as conn:
        for model in TABLES:
            t = model.__table__
            out[t.name] = [tuple(r) for r in conn.execute(select(t).order_by(t.c.id))]
    return out


@pytest.fixture
def pair(store):
    keep = add_customer(
        store, "C1", name="Anna Müller", email="anna@example.com", phone=None, city="Berlin",
        email_consent=True, tags=["vip"],
    )  # fmt: skip
    gone = add_customer(
        store, "C2", name="Anna Mueller", email="anna+x@example.com", phone="030 1234567",
        city="Berlin", birth_year=1980, do_not_contact=True,
        do_not_contact_reason="asked by phone", tags=["b2b"],
    )  # fmt: skip
    other = add_customer(store, "C3", name="Bob")
    add_history(store, keep, "keep", 1)
    add_history(store, gone, "gone", 2)
    add_history(store, other, "other", 1)
    return keep, gone, other


def owner(store, model, external_id: str) -> int:
    t = model.__table__
    with store.read() as conn:
        return conn.execute(select(t.c.customer_id).where(t.c.external_id == external_id)).scalar()


def test_merge_moves_records_fills_fields_and_keeps_an_audit(store, pair):
    keep, gone, other = pair
    merge_id = merge_duplicates(store, "C1", "C2", NOW + timedelta(hours=1), by="tester")
    assert owner(store, Order, "o-gone-0") == keep
    assert owner(store, Order, "o-gone-1") == keep
    assert owner(store, Interaction, "i-gone") == keep
    assert owner(store, Feedback, "f-gone") == keep
    assert owner(store, Order, "o-other-0") == other  # untouched
    with store.read() as conn:
        cases = conn.execute(select(Case.customer_id).order_by(Case.id)).scalars().all()
        invites = (
            conn.execute(select(SurveyInvitation.customer_id).order_by(SurveyInvitation.id))
            .scalars()
            .all()
        )
        rows = {r.id: r for r in conn.execute(select(Customer.__table__))}
        audit = conn.execute(select(CustomerMerge.__table__)).mappings().one()
    assert cases == [keep, keep, other]
    # the survivor was invited to the same survey already: that invitation stays put
    assert invites == [keep, gone, other]
    survivor, merged = rows[keep], rows[gone]
    assert survivor.phone == "030 1234567"  # empty field filled
    assert survivor.birth_year == 1980
    assert survivor.city == "Berlin" and survivor.name == "Anna Müller"  # kept
    assert survivor.tags == ["vip"]  # not empty: kept
    assert survivor.do_not_contact is True  # the stricter contact choice wins
    assert survivor.do_not_contact_reason == "asked by phone"
    assert merged.merged_into_id == keep
    assert audit["id"] == merge_id and audit["merged_by"] == "tester"
    assert 0.0 <= audit["score"] <= 1.0 and "same mailbox" in audit["evidence"]
    assert excluded_customer_ids(store) == {gone}
    assert db.customer_frame(store)["customer_id"].tolist() == [keep, other]


def test_undo_restores_the_store_exactly(store, pair):
    before = snapshot(store)
    merge_id = merge_duplicates(store, "C1", "C2", NOW + timedelta(hours=1))
    assert snapshot(store) != before
    undone = undo_merge(store, merge_id, NOW + timedelta(hours=2))
    assert snapshot(store) == before
    assert undone["undone_at"] == NOW + timedelta(hours=2)
    assert excluded_customer_ids(store) == set()
    listed = db.list_merges(store)
    assert [(m["survivor"], m["merged"]) for m in listed] == [("C1", "C2")]
    assert listed[0]["undone_at"] is not None
    # and it can be merged again afterwards, the other way round
    again = merge_duplicates(store, "C2", "C1", NOW + timedelta(hours=3))
    undo_merge(store, again, NOW + timedelta(hours=4))
    assert snapshot(store) == before


def test_merge_and_undo_refusals(store, pair):
    with pytest.raises(InvalidInputError, match="himself"):
        merge_duplicates(store, "C1", "C1", NOW)
    with pytest.raises(NotFoundError, match="'C9'"):
        merge_duplicates(store, "C1", "C9", NOW)
    first = merge_duplicates(store, "C1", "C2", NOW)
    with pytest.raises(ConflictError, match="merged into another already"):
        merge_duplicates(store, "C3", "C2", NOW)
    second = merge_duplicates(store, "C1", "C3", NOW)
    with pytest.raises(ConflictError, match=f"merge {second} changed the same customers"):
        undo_merge(store, first, NOW)
    undo_merge(store, second, NOW)
    undo_merge(store, first, NOW)
    with pytest.raises(ConflictError, match="undone already"):
        undo_merge(store, first, NOW)
    with pytest.raises(NotFoundError, match="no merge with id 99"):
        undo_merge(store, 99, NOW)
