"""Business-hours calendars: how much SLA time lies between two instants.

A :class:`Calendar` is either round the clock (every second counts) or a
weekly pattern of opening hours in an IANA time zone, with closed holidays.
Opening hours are local wall-clock times, so a 09:00-17:00 day is eight hours
on both sides of a daylight-saving change, and the UTC instant of 09:00
moves with the offset. All inputs and outputs are aware datetimes; results
are in UTC. Durations are in seconds.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from retain.config import zone
from retain.errors import ConfigError, InvalidInputError

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
#: the longest stretch searched for open hours (a calendar open once a year still works)
MAX_DAYS = 800


@dataclass(frozen=True)
class Calendar:
    """When the SLA clock runs.

    ``days`` are weekday numbers (Monday = 0); ``start``/``end`` the local
    opening hours of each open day (``end=None`` means midnight at the end of
    the day); ``holidays`` local dates that are closed. ``always=True`` (the
    default) ignores all of that and counts every second.
    """

    timezone: str = "UTC"
    days: frozenset[int] = frozenset(range(7))
    start: time = time(0)
    end: time | None = None
    holidays: frozenset[date] = field(default_factory=frozenset)
    always: bool = True

    def __post_init__(self) -> None:
        zone(self.timezone)
        if not self.always:
            if not self.days:
                raise ConfigError("a business calendar needs at least one open day")
            if self.end is not None and self.end <= self.start:
                raise ConfigError(
                    f"business hours end ({self.end:%H:%M}) must be after they start "
                    f"({self.start:%H:%M}); use 00:00-24:00 for whole days"
                )

    @classmethod
    def round_the_clock(cls) -> Calendar:
        """Every second counts (24x7)."""
        return cls()

    @classmethod
    def business(
        cls,
        timezone: str,
        *,
        days: Iterable[str | int] = DAY_NAMES[:5],
        hours: str = "09:00-17:00",
        holidays: Iterable[str | date] = (),
    ) -> Calendar:
        """A weekly calendar: ``days`` like ``["mon", "fri"]``, ``hours`` like ``"09:00-17:00"``."""
        return cls(
            timezone=timezone,
            days=frozenset(_day_number(d) for d in days),
            start=_parse_hours(hours)[0],
            end=_parse_hours(hours)[1],
            holidays=frozenset(d if isinstance(d, date) else _parse_date(str(d)) for d in holidays),
            always=False,
        )

    def windows(self, since: datetime) -> Iterator[tuple[datetime, datetime]]:
        """Open intervals (UTC) that end after ``since``, in time order."""
        tz = zone(self.timezone)
        day = require_aware(since).astimezone(tz).date() - timedelta(days=1)
        for _ in range(MAX_DAYS):
            if day.weekday() in self.days and day not in self.holidays:
                opens = datetime.combine(day, self.start, tzinfo=tz).astimezone(UTC)
                if self.end is None:
                    closes_local = datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz)
                else:
                    closes_local = datetime.combine(day, self.end, tzinfo=tz)
                closes = closes_local.astimezone(UTC)
                if closes > since:
                    yield opens, closes
            day += timedelta(days=1)
        raise ConfigError(f"the business calendar has no open hours in {MAX_DAYS} days")

    def add(self, start: datetime, seconds: float) -> datetime:
        """The instant (UTC) when ``seconds`` of SLA time have passed after ``start``."""
        start = require_aware(start).astimezone(UTC)
        if seconds < 0:
            raise InvalidInputError(f"cannot add a negative duration ({seconds} s)")
        if self.always:
            return start + timedelta(seconds=seconds)
        remaining = float(seconds)
        for opens, closes in self.windows(start):
            begin = max(opens, start)
            available = (closes - begin).total_seconds()
            if remaining <= available:
                return begin + timedelta(seconds=remaining)
            remaining -= available
        raise AssertionError("unreachable: windows() raises first")  # pragma: no cover

    def between(self, a: datetime, b: datetime) -> float:
        """Seconds of SLA time from ``a`` to ``b`` (0 when ``b`` is not after ``a``)."""
        a = require_aware(a).astimezone(UTC)
        b = require_aware(b).astimezone(UTC)
        if b <= a:
            return 0.0
        if self.always:
            return (b - a).total_seconds()
        total = 0.0
        for opens, closes in self.windows(a):
            if opens >= b:
                break
            total += (min(closes, b) - max(opens, a)).total_seconds()
        return total

    def describe(self) -> str:
        """A short text such as ``Mon-Fri 09:00-17:00 Europe/Berlin`` or ``24x7``."""
        if self.always:
            return "24x7"
        days = ",".join(DAY_NAMES[d].capitalize() for d in sorted(self.days))
        end = "24:00" if self.end is None else f"{self.end:%H:%M}"
        return f"{days} {self.start:%H:%M}-{end} {self.timezone}"


def require_aware(value: datetime) -> datetime:
    """``value`` if it carries a time zone, else an InvalidInputError."""
    if value.tzinfo is None:
        raise InvalidInputError(
            f"time {value.isoformat()} has no time zone; pass an aware datetime (UTC)"
        )
    return value


def _day_number(day: str | int) -> int:
    if isinstance(day, int) and 0 <= day <= 6:
        return day
    name = str(day).strip().lower()[:3]
    if name not in DAY_NAMES:
        raise ConfigError(f"unknown week day {day!r}; use mon, tue, wed, thu, fri, sat, sun")
    return DAY_NAMES.index(name)


def _parse_hours(text: str) -> tuple[time, time | None]:
    try:
        first, last = (part.strip() for part in text.split("-"))
        start = time.fromisoformat(first)
        end = None if last in ("24:00", "00:00") else time.fromisoformat(last)
    except ValueError as exc:
        raise ConfigError(
            f"business hours {text!r}: write them as HH:MM-HH:MM, e.g. 09:00-17:00"
        ) from exc
    return start, end


def _parse_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise ConfigError(f"holiday {text!r}: write it as YYYY-MM-DD") from exc
