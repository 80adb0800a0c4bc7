"""Saved segments on the store, the audience table, and who is left out."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
from tests.audience.conftest import NOW, add_customer

from retain.audience import (
    FIELDS,
    FilterError,
    age_bands,
    audience_frame,
    check_expression,
    create_segment,
    evaluate,
    load_audience,
    merge_duplicates,
    nps_group,
    segment_members,
)
from retain.errors import ConflictError, NotFoundError
from retain.store import audience as db
from retain.store.schema import Feedback, Order

DAY = date(2026, 3, 10)


def add_orders(store, customer_id: int, days_ago: list[int], category: str = "Shoes") -> None:
    with store.session() as s:
        for k, ago in enumerate(days_ago):
            s.add(
                Order(
                    external_id=f"o{customer_id}-{k}",
                    customer_id=customer_id,
                    ordered_at=NOW - timedelta(days=ago),
                    amount_minor=2500,
                    currency="EUR",
                    product_category=category if k else "Books",
                    created_at=NOW,
                    updated_at=NOW,
                )
            )


def add_answer(store, customer_id: int, score: int, days_ago: int) -> None:
    with store.session() as s:
        s.add(
            Feedback(
                external_id=f"f{customer_id}-{days_ago}",
                customer_id=customer_id,
                score=score,
                nps_score=score,
                responded_at=NOW - timedelta(days=days_ago),
                created_at=NOW,
                updated_at=NOW,
            )
        )


@pytest.fixture
def shop(store):
    ids = {
        "c1": add_customer(
            store,
            "c1",
            name="Ann",
            birth_year=1990,
            country="DE",
            tags=["vip"],
            email="ann@example.com",
        ),
        "c2": add_customer(
            store, "c2", name="Ben", birth_year=1960, country="AT", age_band="55-64"
        ),
        "c3": add_customer(store, "c3", name="Cy", country="DE"),
        "c4": add_customer(store, "c4", name="Rival", country="DE", competitor_status="confirmed"),
        "c5": add_customer(
            store, "c5", name="Ann Dup", birth_year=1990, country="DE", email="ann+x@example.com"
        ),
    }
    add_orders(store, ids["c1"], [100, 60, 20])
    add_orders(store, ids["c2"], [5])
    add_orders(store, ids["c4"], [90, 50, 10])
    add_orders(store, ids["c5"], [40])
    add_answer(store, ids["c1"], 3, 30)
    add_answer(store, ids["c1"], 10, 3)  # the latest answer counts
    add_answer(store, ids["c2"], 7, 2)
    return ids


def test_audience_frame_fields(store, shop):
    frame = load_audience(store, DAY, value=False)
    by = frame.set_index("customer_id")
    assert sorted(by.index) == ["c1", "c2", "c3", "c5"]  # the confirmed competitor is out
    assert by.loc["c1", "stage"] == "loyal" and by.loc["c1", "purchases"] == 3
    assert by.loc["c2", "stage"] == "new" and by.loc["c3", "stage"] == "prospect"
    assert by.loc["c1", "age"] == 36 and by.loc["c1", "age_band"] == "35-44"
    assert by.loc["c2", "age_band"] == "55-64"  # recorded band kept
    assert by.loc["c1", "revenue"] == pytest.approx(75.0)  # 3 x 2500 minor units
    assert by.loc["c1", "categories"] == ["Books", "Shoes"]
    assert by.loc["c1", "nps"] == 10 and by.loc["c1", "nps_group"] == "promoter"
    assert by.loc["c2", "nps_group"] == "passive" and pd.isna(by.loc["c3", "nps_group"])
    assert by.loc["c1", "tags"] == ["vip"] and by.loc["c3", "tags"] == []
    assert set(FIELDS) <= set(frame.columns)
    assert evaluate("categories has shoes and nps_group = promoter", frame).sum() == 1


def test_age_bands_and_nps_groups():
    ages = pd.Series([17, 18, 24, 25, 44, 45, 64, 65, 90, None], dtype="Int64")
    assert age_bands(ages).tolist()[:-1] == [
        "under 18",
        "18-24",
        "18-24",
        "25-34",
        "35-44",
        "45-54",
        "55-64",
        "65+",
        "65+",
    ]
    assert pd.isna(age_bands(ages).iloc[-1])
    groups = nps_group(pd.Series([0, 6, 7, 8, 9, 10, None], dtype="Int64"))
    assert groups.tolist()[:-1] == ["detractor"] * 2 + ["passive"] * 2 + ["promoter"] * 2


def test_segments_are_saved_checked_and_used(store, shop):
    create_segment(
        store,
        "german-loyal",
        'country = "DE" and stage in (loyal, active)',
        NOW,
        description="core",
    )
    create_segment(store, "all-de", "country = DE", NOW)
    assert [s["name"] for s in db.list_segments(store)] == ["all-de", "german-loyal"]
    assert db.get_segment(store, "german-loyal")["description"] == "core"
    assert segment_members(store, "german-loyal", DAY) == {shop["c1"]}
    # merged duplicates and confirmed competitors are never members
    assert segment_members(store, "all-de", DAY) == {shop["c1"], shop["c3"], shop["c5"]}
    merge_duplicates(store, "c1", "c5", NOW)
    assert segment_members(store, "all-de", DAY) == {shop["c1"], shop["c3"]}
    with pytest.raises(ConflictError, match="exists already"):
        create_segment(store, "all-de", "country = AT", NOW)
    create_segment(store, "all-de", "country = AT", NOW, replace=True)
    assert segment_members(store, "all-de", DAY) == {shop["c2"]}
    db.delete_segment(store, "all-de")
    with pytest.raises(NotFoundError, match="saved: german-loyal"):
        segment_members(store, "all-de", DAY)


def test_a_segment_with_a_bad_filter_is_not_saved(store):
    with pytest.raises(FilterError, match="unknown field 'colour'") as caught:
        create_segment(store, "x", "country = DE and colour = red", NOW)
    assert caught.value.position == 18
    with pytest.raises(FilterError, match="column 10"):
        check_expression("country =")
    assert db.list_segments(store) == []


def test_audience_frame_from_plain_tables():
    customers = pd.DataFrame({"customer_id": [1, 2], "birth_year": [1980, None]})
    orders = pd.DataFrame(
        {
            "customer_id": [1, 1, 2],
            "ordered_at": pd.to_datetime(["2025-01-01", "2025-06-01", "2025-12-01"], utc=True),
            "amount": [1000, 3000, 500],
        }
    )
    frame = audience_frame(customers, orders, "2026-01-01", value=False)
    assert frame["customer_id"].tolist() == [1, 2]
    assert frame["revenue"].tolist() == [40.0, 5.0]
    assert frame["age"].tolist()[0] == 46 and pd.isna(frame["age"].iloc[1])
    assert np.isnan(frame["clv"]).all()


def test_value_fields_on_a_shop_too_small_for_the_models(store, shop):
    # three buyers cannot fit BG/NBD and Gamma-Gamma: clv is missing, nothing breaks
    frame = load_audience(store, DAY)
    assert len(frame) == 4
    assert frame["clv"].isna().all() or (frame["clv"].dropna() >= 0).all()
    assert evaluate("clv > 1000000", frame).sum() == 0
