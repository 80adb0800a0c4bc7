"""One customer's stage (retain.web.customer_stage) equals customer_stages' row for him."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

import pandas as pd
import pytest

from retain.analytics import customer_stages
from retain.analytics.stages import STAGE_COLUMNS
from retain.analytics.summary import purchase_days
from retain.analytics.tables import to_pandas
from retain.web.customer_stage import (
    LearnedGaps,
    learned_gaps,
    month_ends,
    purchase_day_gaps,
    stage_of,
)

COMPARED = (
    *STAGE_COLUMNS[1:],  # all but customer_id
    "frequency",
    "recency",
    "T",
    "monetary_value",
    "revenue",
)


def varied_store(seed: int = 3, customers: int = 400) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Customers of every kind: one-off, steady, seasonal (winter), prospects, refunds,
    cancelled orders, no category, do-not-contact, competitors, merged."""
    rng = random.Random(seed)
    start = datetime(2021, 1, 1, 9, tzinfo=UTC)
    people, orders = [], []
    for cid in range(1, customers + 1):
        kind = rng.choice(["oneoff", "steady", "steady", "seasonal", "prospect", "burst"])
        first_seen = start + timedelta(days=rng.randrange(0, 1200))
        people.append(
            {
                "customer_id": cid,
                "first_seen_at": first_seen if rng.random() < 0.5 else None,
                "email_consent": rng.choice([True, False, None]),
                "do_not_contact": rng.random() < 0.1,
                "let_go": rng.random() < 0.05,
                "competitor_status": "confirmed" if rng.random() < 0.03 else "none",
                "merged_into_id": 1 if cid > 1 and rng.random() < 0.03 else None,
            }
        )
        if kind == "prospect":
            continue
        t = first_seen + timedelta(hours=rng.randrange(0, 2000))
        n = {"oneoff": 1, "steady": rng.randint(2, 14), "seasonal": 0, "burst": 4}[kind]
        times = []
        if kind == "seasonal":
            for year in range(2021, 2026):
                if rng.random() < 0.85:
                    times.append(datetime(year, 12, rng.randint(1, 28), 15, tzinfo=UTC))
        else:
            gap = rng.choice([20, 45, 90, 200])
            for _ in range(n):
                times.append(t)
                t += timedelta(days=rng.expovariate(1 / gap), hours=rng.randrange(24))
        for at in times:
            amount = rng.choice([0, 999, 2500, 12000])
            status = rng.choices(["paid", "refunded", "cancelled", None], [20, 1, 1, 2])[0]
            refunded = rng.choice([0, 0, 0, amount, amount // 2])
            category = (
                "winter boots"
                if kind == "seasonal"
                else rng.choices(["shoes", "socks", "rare", None], [10, 6, 1, 2])[0]
            )
            orders.append(
                {
                    "customer_id": cid,
                    "ordered_at": at,
                    "amount": amount,
                    "refunded": refunded,
                    "status": status,
                    "product_category": category,
                }
            )
    return pd.DataFrame(orders), pd.DataFrame(people)


def _same(a, b) -> bool:
    if a is None or (isinstance(a, float) and pd.isna(a)):
        return b is None or (isinstance(b, float) and pd.isna(b))
    if isinstance(a, pd.Timestamp):
        a = a.date()
    if isinstance(a, float):
        return a == pytest.approx(b, rel=1e-12)
    return a == b


@pytest.mark.parametrize(
    "as_of",
    [date(2022, 6, 30), date(2023, 2, 10), date(2024, 8, 31), date(2025, 12, 31)],
)
@pytest.mark.parametrize("settings", [None, {"min_category_gaps": 5, "own_history_min_gaps": 3}])
def test_stage_of_equals_customer_stages(as_of, settings):
    orders, people = varied_store()
    expected = customer_stages(orders, as_of, people, settings).set_index("customer_id")
    gaps = learned_gaps(
        purchase_day_gaps(to_pandas(purchase_days(orders, date(2026, 1, 1)).days)),
        [as_of],
        settings,
    )[as_of]
    clean = orders.astype(object).where(orders.notna(), None)
    by_customer = {cid: rows.to_dict("records") for cid, rows in clean.groupby("customer_id")}
    seen = set()
    kinds = set()
    for person in people.to_dict("records"):
        person = {
            k: (None if v is pd.NaT or (isinstance(v, float) and pd.isna(v)) else v)
            for k, v in person.items()
        }
        row = stage_of(person, by_customer.get(person["customer_id"], []), as_of, gaps, settings)
        cid = person["customer_id"]
        if row is None:
            assert cid not in expected.index
            continue
        seen.add(cid)
        want = expected.loc[cid]
        for key in COMPARED:
            assert _same(want[key], row[key]), (cid, key, want[key], row[key])
        kinds.add((row["stage"], row["substage"], row["gap_source"]))
    assert seen == set(expected.index)
    # the store exercises the rules: several stages and gap sources on each date
    assert len({k[0] for k in kinds}) >= 4 and len({k[2] for k in kinds}) >= 2


def test_learned_gaps_by_hand():
    # two customers: A buys shoes on days 0, 10, 30 (gaps 10, 20 after shoes);
    # B buys socks then shoes on days 5, 9 (gap 4 after socks)
    gaps = pd.DataFrame(
        {
            "eday": [20_000 + 9, 20_000 + 10, 20_000 + 30],
            "gap": [4, 10, 20],
            "prev_category": ["socks", "shoes", "shoes"],
        }
    )
    day = date(1970, 1, 1) + timedelta(days=20_010)
    later = day + timedelta(days=30)
    got = learned_gaps(gaps, [day, later], {"min_category_gaps": 2, "min_gap_days": 3})
    # as of day 10: gaps 4 and 10 -> 0.8 quantile 4 + 0.8 * 6 = 8.8 -> 9; shoes has one gap only
    assert got[day] == LearnedGaps(day, {}, 9)
    # later: gaps 4, 10, 20 -> position 1.6: 10 + 0.6 * 10 = 16; shoes (10, 20) -> 18
    assert got[later] == LearnedGaps(later, {"shoes": 18}, 16)


def test_month_ends():
    assert month_ends(date(2026, 3, 15), 4) == [
        date(2025, 12, 31),
        date(2026, 1, 31),
        date(2026, 2, 28),
        date(2026, 3, 15),
    ]
