"""The customer summary against hand-worked cases (BTYD conventions)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pyarrow as pa
import pytest

from retain.analytics import customer_summary
from retain.errors import InvalidInputError, MissingColumnsError

from .helpers import orders

D0 = date(2024, 1, 1)


def day(n: int) -> date:
    return D0 + pd.Timedelta(days=n).to_pytimedelta()


@pytest.fixture
def sample() -> pd.DataFrame:
    return orders(
        [
            # customer 1: two orders on day 0 (one period), then days 10 and 30
            (1, day(0), 10, "shoes"),
            (1, day(0), 5, "socks"),
            (1, day(10), 20, "shoes"),
            (1, day(30), 40, "shoes"),
            # customer 2: one purchase
            (2, day(5), 7, "hats"),
            # customer 3: a purchase after as_of (ignored)
            (3, day(2), 3, "socks"),
            (3, day(60), 100, "socks"),
        ]
    )


def test_btyd_figures_by_hand(sample: pd.DataFrame) -> None:
    s = customer_summary(sample, as_of=day(40)).set_index("customer_id")
    # customer 1: periods 0, 10, 30 -> frequency 2, recency 30, T 40;
    # repeat values 20 and 40 -> monetary 30
    assert s.loc[1, ["frequency", "recency", "T"]].tolist() == [2, 30, 40]
    assert s.loc[1, "monetary_value"] == 30.0
    assert s.loc[1, "orders"] == 4
    assert s.loc[1, "purchase_days"] == 3
    assert s.loc[1, "revenue"] == 75.0
    assert s.loc[1, "mean_gap_days"] == 15.0  # gaps 10 and 20
    assert s.loc[1, "median_gap_days"] == 15.0
    assert s.loc[1, "main_category"] == "shoes"
    assert s.loc[1, "days_since_last_order"] == 10
    # customer 2: one purchase -> zeros, monetary 0, no gaps
    assert s.loc[2, ["frequency", "recency", "T"]].tolist() == [0, 0, 35]
    assert s.loc[2, "monetary_value"] == 0.0
    assert pd.isna(s.loc[2, "mean_gap_days"])
    # customer 3: the day-60 order is after as_of
    assert s.loc[3, ["frequency", "T", "revenue"]].tolist() == [0, 38, 3.0]


def test_as_of_day_counts_whole_day(sample: pd.DataFrame) -> None:
    s = customer_summary(sample, as_of=day(30)).set_index("customer_id")
    assert s.loc[1, "frequency"] == 2
    assert s.loc[1, "T"] == 30
    before = customer_summary(sample, as_of=day(29)).set_index("customer_id")
    assert before.loc[1, "frequency"] == 1


def test_weekly_and_monthly_periods(sample: pd.DataFrame) -> None:
    # 2024-01-01 is a Monday: days 0 and 5 are week 0, day 10 week 1, day 30 week 4
    w = customer_summary(sample, as_of=day(40), freq="W").set_index("customer_id")
    assert w.loc[1, ["frequency", "recency", "T"]].tolist() == [2, 4, 5]
    m = customer_summary(sample, as_of=day(40), freq="M").set_index("customer_id")
    # January (days 0, 10, 30) is one month: no repeat month
    assert m.loc[1, ["frequency", "recency", "T"]].tolist() == [0, 0, 1]
    assert m.loc[1, "monetary_value"] == 0.0


def test_refunds_and_statuses() -> None:
    o = orders(
        [
            (1, day(0), 50, "a", "paid", 0),
            (1, day(5), 30, "a", "refunded", 30),  # fully refunded: not a purchase
            (1, day(8), 40, "a", "partially_refunded", 10),  # counts at 30
            (1, day(9), 99, "a", "cancelled", 0),
            (1, day(9), 99, "a", "pending", 0),
            (2, day(1), 20, "a", "paid", 20),  # refunded in full though marked paid
        ]
    )
    s = customer_summary(o, as_of=day(10)).set_index("customer_id")
    assert s.loc[1, "frequency"] == 1
    assert s.loc[1, "revenue"] == 80.0
    assert s.loc[1, "monetary_value"] == 30.0
    assert s.loc[1, "refunds"] == 40.0
    assert s.loc[1, "orders"] == 2
    assert 2 not in s.index  # never really bought


def test_an_unknown_refund_counts_as_none() -> None:
    # a missing refunded amount (NULL) is no refund: the order counts in full
    o = pd.DataFrame(
        {
            "customer_id": [1, 1],
            "ordered_at": pd.to_datetime([day(0), day(4)]),
            "amount": [50.0, 30.0],
            "refunded": [None, 10.0],
        }
    )
    s = customer_summary(o, as_of=day(10)).set_index("customer_id")
    assert s.loc[1, "revenue"] == 70.0
    assert s.loc[1, "monetary_value"] == 20.0
    assert s.loc[1, "refunds"] == 10.0


def test_same_day_purchases_count_once() -> None:
    o = orders([(1, day(3), 10), (1, day(3), 15), (1, day(3), 5)])
    s = customer_summary(o, as_of=day(3)).set_index("customer_id")
    assert s.loc[1, ["frequency", "recency", "T", "orders", "purchase_days"]].tolist() == [
        0,
        0,
        0,
        3,
        1,
    ]
    assert s.loc[1, "revenue"] == 30.0


def test_arrow_and_ibis_inputs_give_the_same(sample: pd.DataFrame) -> None:
    import ibis

    a = customer_summary(sample, as_of=day(40))
    b = customer_summary(pa.Table.from_pandas(sample), as_of=day(40))
    c = customer_summary(ibis.memtable(sample), as_of=day(40))
    pd.testing.assert_frame_equal(a, b)
    pd.testing.assert_frame_equal(a, c)


def test_minimal_columns_and_date_input() -> None:
    o = pd.DataFrame({"customer_id": ["x", "x"], "ordered_at": [D0, day(7)], "amount": [1, 2]})
    s = customer_summary(o, as_of="2024-01-10")
    assert s.frequency.tolist() == [1]
    assert s.monetary_value.tolist() == [2.0]
    assert s.refunds.tolist() == [0]


def test_missing_columns_are_named() -> None:
    with pytest.raises(MissingColumnsError, match="'amount'"):
        customer_summary(pd.DataFrame({"customer_id": [1], "ordered_at": [D0]}), as_of=D0)


def test_bad_inputs() -> None:
    with pytest.raises(InvalidInputError, match="freq must be one of"):
        customer_summary(orders([(1, D0, 1)]), as_of=D0, freq="Q")
    with pytest.raises(InvalidInputError, match="as_of must be a date"):
        customer_summary(orders([(1, D0, 1)]), as_of="yesterday")
    with pytest.raises(InvalidInputError, match="pandas DataFrame"):
        customer_summary([1, 2], as_of=D0)


def test_a_day_of_several_categories_counts_once_for_its_smallest() -> None:
    # the summary groups nothing into days: one sorted pass over the orders must
    # still give each day the smallest of its categories and the value of all its orders
    from retain.analytics.gaps import category_gaps
    from retain.analytics.settings import lifecycle_settings
    from retain.analytics.summary import purchase_days
    from retain.analytics.tables import to_pandas

    rows = orders(
        [
            # 1: day 0 books+shoes (books, value 60), day 5 shoes, day 9 tea + no category
            (1, day(0), 10, "shoes"),
            (1, day(0), 50, "books"),
            (1, day(5), 20, "shoes"),
            (1, day(9), 5, None),
            (1, day(9), 1, "tea"),
            # 2: one day each of shoes (30) and books (10): the tie goes to more value
            (2, day(0), 30, "shoes"),
            (2, day(3), 10, "books"),
            # 3: same days, same value: the tie goes to the name
            (3, day(0), 10, "b"),
            (3, day(1), 10, "a"),
            # 4: day 0 books 5 + shoes 100 counts for books, day 1 shoes: one day each,
            # and the tie goes to the category with more spent in it (shoes, 110)
            (4, day(0), 5, "books"),
            (4, day(0), 100, "shoes"),
            (4, day(1), 10, "shoes"),
        ]
    )
    s = customer_summary(rows, as_of=day(20)).set_index("customer_id")
    assert s.main_category.to_dict() == {1: "books", 2: "shoes", 3: "a", 4: "shoes"}
    assert s.loc[1, ["purchase_days", "orders", "revenue"]].tolist() == [3, 5, 86.0]
    assert s.loc[1, "monetary_value"] == (20 + 6) / 2  # the first day's 60 left out
    # gaps counted for the earlier day's category: books [5], shoes [4, 3], b [1]
    cfg = lifecycle_settings({"gap_quantile": 0.5})
    gaps = to_pandas(category_gaps(purchase_days(rows, day(20)), cfg)).set_index("category")
    # (customer 4's gap of 1 day follows a books day)
    assert gaps.gaps.sort_index().to_dict() == {"b": 1, "books": 2, "shoes": 2}
    assert gaps.loc["shoes", "gap_days"] == 3.5
    assert gaps.loc["books", "gap_days"] == 3.0
    assert gaps.loc["b", "gap_days"] == 1.0
