"""Life-cycle stages on hand-worked cases: every stage, every boundary, seasons."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest

from retain.analytics import STAGES, customer_stages
from retain.errors import ConfigError

from .helpers import every, orders

LAST = date(2024, 3, 1)
G = 42  # every repeat gap of the business below is 42 days


@pytest.fixture
def business() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Customers whose last purchase is LAST; every gap 42 days, so the expected gap is 42."""
    o = orders(
        [
            (1, LAST, 10),  # new
            (2, LAST - timedelta(days=G), 10),
            (2, LAST, 10),  # active
            *[(3, d, 10) for d in every(LAST - timedelta(days=2 * G), G, 3)],  # loyal
            (5, LAST, 10),  # one purchase, do-not-contact
            (6, LAST, 10),  # one purchase, withdrew consent
            (7, LAST, 10),  # one purchase, let go
        ]
    )
    c = pd.DataFrame(
        {
            "customer_id": [1, 2, 3, 4, 5, 6, 7, 8],
            "do_not_contact": [False, False, False, False, True, False, False, False],
            "email_consent": [True, None, True, True, True, False, None, True],
            "let_go": [False, False, False, False, False, False, True, False],
            "first_seen_at": pd.to_datetime(
                [None, None, None, "2024-01-01", None, None, None, "2030-01-01"], utc=True
            ),
        }
    )
    return o, c


def stages_at(business, offset: int, **settings) -> dict[int, tuple[str, str]]:
    o, c = business
    s = customer_stages(o, LAST + timedelta(days=offset), c, settings or None)
    return {r.customer_id: (r.stage, r.substage) for r in s.itertuples()}


@pytest.mark.parametrize(
    ("offset", "new", "active", "loyal", "dnc"),
    [
        (0, ("new", ""), ("active", ""), ("loyal", ""), ("new", "")),
        (41, ("new", ""), ("active", ""), ("loyal", ""), ("new", "")),
        (42, ("new", ""), ("active", ""), ("loyal", ""), ("new", "")),
        (43, *[("lapsed", "short_term")] * 4),
        (83, *[("lapsed", "short_term")] * 4),
        (84, *[("lapsed", "short_term")] * 4),
        (85, *[("lapsed", "long_term")] * 4),
        (167, *[("lapsed", "long_term")] * 4),
        (168, *[("lapsed", "long_term")] * 4),
        (169, *[("inactive", "win_back")] * 3, ("inactive", "do_not_contact")),
    ],
)
def test_boundaries(business, offset, new, active, loyal, dnc) -> None:
    got = stages_at(business, offset)
    assert (got[1], got[2], got[3], got[5]) == (new, active, loyal, dnc)
    assert got[4] == ("prospect", "")


def test_inactive_split(business) -> None:
    got = stages_at(business, 500)
    assert got[5] == got[6] == got[7] == ("inactive", "do_not_contact")
    assert got[1] == ("inactive", "win_back")


def test_prospects_known_by_as_of(business) -> None:
    got = stages_at(business, 0)
    assert got[4] == ("prospect", "")
    assert 8 not in got  # first seen in 2030
    o, c = business
    before = customer_stages(o, date(2023, 6, 1), c)
    # customers without first_seen_at become known at their first order
    assert set(before.customer_id) == set()
    early = customer_stages(o, LAST - timedelta(days=G), c)
    assert dict(zip(early.customer_id, early.stage, strict=True)) == {
        2: "new",
        3: "active",
        4: "prospect",
    }


def test_gap_fields_and_exactly_one_stage(business) -> None:
    o, c = business
    s = customer_stages(o, LAST + timedelta(days=10), c).set_index("customer_id")
    assert s.loc[1, "expected_gap_days"] == G
    assert s.loc[1, "gap_source"] == "all"
    assert s.loc[1, "days_since_last_order"] == 10
    assert pd.isna(s.loc[4, "expected_gap_days"])
    assert s.stage.isin(STAGES).all()
    assert s.index.is_unique


def test_loyal_threshold_is_configurable(business) -> None:
    assert stages_at(business, 0, loyal_purchases=4)[3] == ("active", "")
    assert stages_at(business, 0, loyal_purchases=2)[2] == ("loyal", "")
    assert stages_at(business, 169, inactive_multiple=5)[1] == ("lapsed", "long_term")
    with pytest.raises(ConfigError, match="loyal_purchases"):
        stages_at(business, 0, loyal_purchases=1)
    with pytest.raises(ConfigError, match="unknown setting"):
        stages_at(business, 0, loyal_purchase=3)


def test_as_of_in_the_past_ignores_later_orders(business) -> None:
    o, c = business
    later = pd.concat([o, orders([(1, LAST + timedelta(days=100), 99)])], ignore_index=True)
    a = customer_stages(o, LAST + timedelta(days=50), c)
    b = customer_stages(later, LAST + timedelta(days=50), c)
    pd.testing.assert_frame_equal(a, b)
    assert (
        customer_stages(later, LAST + timedelta(days=100), c)
        .set_index("customer_id")
        .loc[1, "stage"]
        == "active"
    )


def test_refunded_purchase_does_not_count() -> None:
    o = orders(
        [
            *[(9, d, 10) for d in every(date(2024, 1, 1), 30, 5)],
            (1, date(2024, 5, 1), 10),
            (1, date(2024, 5, 20), 10, None, "refunded", 10),
        ]
    )
    s = customer_stages(o, date(2024, 6, 1)).set_index("customer_id")
    assert s.loc[1, "stage"] == "lapsed"  # 31 days after the only real purchase, gap 30
    assert s.loc[1, "purchases"] == 1
    assert s.loc[1, "refunds"] == 10


def test_same_day_orders_are_one_purchase() -> None:
    o = orders([(1, date(2024, 5, 1), 10), (1, date(2024, 5, 1), 12)])
    s = customer_stages(o, date(2024, 5, 2))
    assert s.stage.tolist() == ["new"]
    assert s.expected_gap_days.tolist() == [90]  # no repeat purchase at all: the default
    assert s.gap_source.tolist() == ["default"]


def test_learned_quantile_own_and_category_gaps() -> None:
    start = date(2023, 1, 1)
    days = [start + timedelta(days=n) for n in (0, 10, 30, 60, 100, 150)]
    rows = [(1, d, 10, "x") for d in days]  # gaps 10, 20, 30, 40, 50
    rows += [(2, start, 10, "x")]
    # 30 gaps of 10 days in socks, 30 of 90 in shoes, 2 of 20 in hats
    for i in range(10):
        rows += [(100 + i, d, 5, "socks") for d in every(start, 10, 4)]
        rows += [(200 + i, d, 5, "shoes") for d in every(start, 90, 4)]
    rows += [(300, d, 5, "hats") for d in every(start, 20, 3)]
    s = customer_stages(orders(rows), date(2024, 1, 1)).set_index("customer_id")
    # own: 0.8 quantile of 10..50 = 40 + 0.2 * 10 = 42
    assert (s.loc[1, "expected_gap_days"], s.loc[1, "gap_source"]) == (42, "own")
    assert (s.loc[100, "expected_gap_days"], s.loc[100, "gap_source"]) == (10, "category")
    assert (s.loc[200, "expected_gap_days"], s.loc[200, "gap_source"]) == (90, "category")
    # hats has 2 gaps: all 67 gaps (10,20,30,40,50, 30x10, 30x90, 2x20) -> 0.8 quantile 90
    assert (s.loc[300, "expected_gap_days"], s.loc[300, "gap_source"]) == (90, "all")
    # category x has 5 gaps (< 30): customer 2 falls back to all categories
    assert (s.loc[2, "expected_gap_days"], s.loc[2, "gap_source"]) == (90, "all")


WINTER = [date(2022, 1, 10), date(2022, 12, 20), date(2023, 1, 15), date(2023, 12, 28)]
WINTER_LAST = date(2024, 1, 20)


@pytest.fixture
def seasonal_business() -> pd.DataFrame:
    rows = [(1, d, 80, "boots") for d in [*WINTER, WINTER_LAST]]
    # a customer with as many purchases spread round the year
    rows += [(2, d, 80, "boots") for d in every(date(2022, 1, 10), 146, 5)]
    # the business's usual rhythm: 40 gaps of 30 days
    for i in range(10):
        rows += [(100 + i, d, 20, "socks") for d in every(date(2023, 1, 1), 30, 5)]
    return orders(rows)


def test_winter_buyer_in_july_is_seasonally_lapsed(seasonal_business) -> None:
    s = customer_stages(seasonal_business, date(2024, 7, 15)).set_index("customer_id")
    assert bool(s.loc[1, "seasonal"]) is True
    assert s.loc[1, "season_center_day"] in (*range(355, 366), *range(1, 12))
    assert (s.loc[1, "stage"], s.loc[1, "substage"]) == ("lapsed", "seasonal")
    assert s.loc[1, "expected_gap_days"] == 365
    # the round-the-year buyer is not seasonal
    assert bool(s.loc[2, "seasonal"]) is False


def test_winter_buyer_past_his_season_is_lapsed(seasonal_business) -> None:
    s = customer_stages(seasonal_business, date(2025, 2, 20)).set_index("customer_id")
    assert (s.loc[1, "stage"], s.loc[1, "substage"]) == ("lapsed", "short_term")
    end = pd.Timestamp(s.loc[1, "season_ends"]).date()
    # the next season after 20 Jan 2024 runs through the following winter
    assert date(2025, 1, 25) <= end <= date(2025, 2, 19)
    on = customer_stages(seasonal_business, end).set_index("customer_id")
    after = customer_stages(seasonal_business, end + timedelta(days=1)).set_index("customer_id")
    assert on.loc[1, "substage"] == "seasonal"
    assert after.loc[1, "substage"] == "short_term"


def test_seasonal_customer_within_gap_is_not_lapsed(seasonal_business) -> None:
    s = customer_stages(seasonal_business, WINTER_LAST + timedelta(days=30)).set_index(
        "customer_id"
    )
    assert (s.loc[1, "stage"], s.loc[1, "substage"]) == ("loyal", "")
    late = customer_stages(seasonal_business, WINTER_LAST + timedelta(days=31)).set_index(
        "customer_id"
    )
    assert (late.loc[1, "stage"], late.loc[1, "substage"]) == ("lapsed", "seasonal")


def test_repeat_buyer_gone_quiet_is_inactive_sooner() -> None:
    start = date(2023, 1, 1)
    rows = []
    for i in range(10):  # category x: 40 gaps of 90 days
        rows += [(100 + i, d, 5, "x") for d in every(start, 90, 5)]
    rows += [(1, d, 5, "x") for d in every(date(2024, 1, 1), 10, 3)]  # 2 repeats in 20 days
    o = orders(rows)
    last = date(2024, 1, 21)
    on = customer_stages(o, last + timedelta(days=90)).set_index("customer_id")
    assert on.loc[1, "stage"] == "loyal"
    after = customer_stages(o, last + timedelta(days=91)).set_index("customer_id")
    # exp(-91 * 2 / 20) = 1e-4 < 0.01: very unlikely still buying at his pace
    assert (after.loc[1, "stage"], after.loc[1, "substage"]) == ("inactive", "win_back")
    assert bool(after.loc[1, "gone_quiet"]) is True
    off = customer_stages(
        o, last + timedelta(days=91), settings={"inactive_silence_probability": 0}
    )
    assert (off.set_index("customer_id").loc[1, "stage"]) == "lapsed"
