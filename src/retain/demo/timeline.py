"""The demo's clock: times as float days since the start of the period, local wall clock.

The generator works with plain float arrays (``days`` since local midnight of the first day
of the period, in the business time zone) and turns them into time-zone aware timestamps only
at the end. Times of day are drawn between 07:00 and 23:00, so no event ever falls into the
hour that daylight saving time skips or repeats.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

BUSINESS_TZ = "Europe/Berlin"

EARLIEST_HOUR = 7.0
LATEST_HOUR = 23.0


@dataclass(frozen=True)
class Period:
    """The generated period: ``start`` (inclusive) to ``end`` (exclusive), both local dates."""

    start: dt.date
    end: dt.date

    @property
    def days(self) -> int:
        """Length of the period in days."""
        return (self.end - self.start).days

    @classmethod
    def ending(cls, end: dt.date, years: float) -> Period:
        """The period of ``years`` years (365.25 days each) that ends before ``end``."""
        days = round(years * 365.25)
        return cls(start=end - dt.timedelta(days=days), end=end)


def time_of_day(rng: np.random.Generator, n: int) -> np.ndarray:
    """Draw ``n`` times of day, in days (0..1): a midday and an evening peak, 07:00-23:00."""
    evening = rng.random(n) < 0.4
    hours = np.where(evening, rng.normal(19.5, 1.8, n), rng.normal(12.5, 2.5, n))
    return np.clip(hours, EARLIEST_HOUR, LATEST_HOUR) / 24.0


def at_daytime(rng: np.random.Generator, days: np.ndarray) -> np.ndarray:
    """Move each time in ``days`` to a daytime moment of the same calendar day."""
    return np.floor(days) + time_of_day(rng, len(days))


def local_datetimes(period: Period, days: np.ndarray) -> np.ndarray:
    """Float days since the period start as naive local ``datetime64[s]`` values."""
    start = np.datetime64(period.start, "s")
    return start + np.round(np.asarray(days, dtype=float) * 86400.0).astype("timedelta64[s]")


def timestamps(period: Period, days: np.ndarray) -> pd.Series:
    """Float days since the period start as time-zone aware timestamps (business zone).

    NaN days give NaT.
    """
    days = np.asarray(days, dtype=float)
    missing = np.isnan(days)
    local = local_datetimes(period, np.where(missing, 0.0, days))
    local[missing] = np.datetime64("NaT")
    index = pd.DatetimeIndex(local).tz_localize(
        BUSINESS_TZ, ambiguous=np.zeros(len(local), dtype=bool), nonexistent="shift_forward"
    )
    return pd.Series(index, dtype=f"datetime64[s, {BUSINESS_TZ}]")


def months(period: Period, days: np.ndarray) -> np.ndarray:
    """Calendar month (1..12) of each time in ``days``."""
    local = local_datetimes(period, days)
    return local.astype("datetime64[M]").astype(np.int64) % 12 + 1


def day_of(period: Period, date: dt.date) -> int:
    """Days from the period start to local midnight of ``date``."""
    return (date - period.start).days


def format_ids(prefix: str, numbers: np.ndarray, width: int) -> pd.Series:
    """Ids such as ``C000123`` from integers (``width`` digits, zero padded)."""
    text = pd.Series(np.asarray(numbers), dtype="int64").astype(str).str.zfill(width)
    return prefix + text


def group_starts(counts: np.ndarray) -> np.ndarray:
    """Index of each group's first row when groups of ``counts`` rows are stacked."""
    counts = np.asarray(counts, dtype=np.int64)
    return (np.cumsum(counts) - counts).astype(np.int64)


def rank_in_group(counts: np.ndarray) -> np.ndarray:
    """0, 1, 2, ... within each group of ``counts`` stacked rows."""
    total = int(counts.sum())
    return np.arange(total, dtype=np.int64) - np.repeat(group_starts(counts), counts)
