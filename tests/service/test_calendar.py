"""SLA arithmetic across nights, weekends, holidays and daylight-saving changes (hand-worked)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from retain.errors import ConfigError, InvalidInputError
from retain.service import Calendar

BERLIN = ZoneInfo("Europe/Berlin")
H = 3600


@pytest.fixture
def office() -> Calendar:
    return Calendar.business("Europe/Berlin", days=["mon", "tue", "wed", "thu", "fri"])


def berlin(*args) -> datetime:
    return datetime(*args, tzinfo=BERLIN)


def test_overnight(office):
    # Tue 16:00 + 4 h: 1 h on Tuesday, 3 h on Wednesday from 09:00
    assert office.add(berlin(2025, 3, 4, 16), 4 * H) == berlin(2025, 3, 5, 12)
    assert office.add(berlin(2025, 3, 4, 16), 4 * H) == datetime(2025, 3, 5, 11, tzinfo=UTC)


def test_over_the_weekend(office):
    # Fri 15:00 + 8 h: 2 h on Friday, nothing Sat/Sun, 6 h on Monday
    assert office.add(berlin(2025, 3, 7, 15), 8 * H) == berlin(2025, 3, 10, 15)
    assert office.between(berlin(2025, 3, 7, 15), berlin(2025, 3, 10, 15)) == 8 * H


def test_opened_outside_hours_starts_at_next_opening(office):
    assert office.add(berlin(2025, 3, 8, 10), 1 * H) == berlin(2025, 3, 10, 10)  # Saturday
    assert office.add(berlin(2025, 3, 4, 7, 30), 1 * H) == berlin(2025, 3, 4, 10)  # early
    assert office.between(berlin(2025, 3, 8, 10), berlin(2025, 3, 9, 23)) == 0


def test_a_target_ending_at_closing_time_is_due_at_closing_time(office):
    assert office.add(berlin(2025, 3, 4, 9), 8 * H) == berlin(2025, 3, 4, 17)


def test_holiday_is_closed():
    cal = Calendar.business("Europe/Berlin", holidays=["2025-03-10"])
    assert cal.add(berlin(2025, 3, 7, 15), 8 * H) == berlin(2025, 3, 11, 15)


def test_across_spring_daylight_saving_change(office):
    # Europe moves to summer time on Sunday 30 March 2025: Friday 16:00 is 15:00 UTC
    # (UTC+1), Monday 12:00 is 10:00 UTC (UTC+2). 1 h Friday + 3 h Monday.
    start = datetime(2025, 3, 28, 15, tzinfo=UTC)
    assert office.add(start, 4 * H) == datetime(2025, 3, 31, 10, tzinfo=UTC)
    # counting UTC hours from a fixed offset would say 11:00 UTC
    assert office.between(start, datetime(2025, 3, 31, 10, tzinfo=UTC)) == 4 * H


def test_whole_days_follow_the_local_day_length():
    # New York falls back on Sunday 2 November 2025: that local day lasts 25 hours
    ny = ZoneInfo("America/New_York")
    cal = Calendar.business("America/New_York", days=range(7), hours="00:00-24:00")
    sunday = datetime(2025, 11, 2, tzinfo=ny)
    assert cal.between(sunday, datetime(2025, 11, 3, tzinfo=ny)) == 25 * H
    assert cal.between(datetime(2025, 11, 3, tzinfo=ny), datetime(2025, 11, 4, tzinfo=ny)) == 24 * H


def test_round_the_clock_counts_every_second():
    cal = Calendar.round_the_clock()
    start = datetime(2025, 3, 29, 22, tzinfo=UTC)
    assert cal.add(start, 5 * H) == datetime(2025, 3, 30, 3, tzinfo=UTC)
    assert cal.between(start, start - timedelta(hours=1)) == 0
    assert cal.describe() == "24x7"


def test_bad_calendars_and_times_are_refused():
    with pytest.raises(ConfigError, match="HH:MM-HH:MM"):
        Calendar.business("UTC", hours="9 to 5")
    with pytest.raises(ConfigError, match="must be after"):
        Calendar.business("UTC", hours="17:00-09:00")
    with pytest.raises(ConfigError, match="unknown week day 'funday'"):
        Calendar.business("UTC", days=["funday"])
    with pytest.raises(ConfigError, match="unknown time zone"):
        Calendar.business("Mars/Olympus")
    with pytest.raises(InvalidInputError, match="no time zone"):
        Calendar.round_the_clock().add(datetime(2025, 1, 1), 10)
    assert (
        Calendar.business("Europe/Berlin").describe()
        == "Mon,Tue,Wed,Thu,Fri 09:00-17:00 Europe/Berlin"
    )


@settings(max_examples=60, deadline=None)
@given(
    start=st.datetimes(
        min_value=datetime(2024, 1, 1), max_value=datetime(2026, 12, 31), timezones=st.just(UTC)
    ),
    minutes=st.integers(min_value=0, max_value=60 * 24 * 20),
)
def test_add_and_between_agree(start, minutes):
    cal = Calendar.business("Europe/Berlin", hours="08:30-18:00", holidays=["2025-12-25"])
    due = cal.add(start, minutes * 60)
    assert due >= start
    assert cal.between(start, due) == pytest.approx(minutes * 60)
