"""SLA policies: first-response and resolution targets per priority.

Set in the ``[cases]`` section of retain.toml (hours; ``clock`` is
``business`` to count only the business calendar's open hours, ``24x7`` to
count every hour)::

    [cases]
    timezone = "Europe/Berlin"          # default: [business] timezone
    business_days = ["mon", "tue", "wed", "thu", "fri"]
    business_hours = "09:00-17:00"
    holidays = ["2025-12-25"]
    clock = "business"
    notify = "mypackage.alerts:send"    # called for every escalation (optional)

    [cases.sla.urgent]
    first_response_hours = 1
    resolution_hours = 8
    clock = "24x7"                      # this priority counts every hour

Defaults (business hours): urgent 1 h / 8 h, high 4 h / 24 h, normal 8 h /
40 h, low 16 h / 80 h.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from retain.config import Settings, section
from retain.errors import ConfigError
from retain.service.calendar import DAY_NAMES, Calendar
from retain.store.schema import CASE_PRIORITIES

DEFAULT_TARGETS: dict[str, tuple[float, float]] = {
    "urgent": (1, 8),
    "high": (4, 24),
    "normal": (8, 40),
    "low": (16, 80),
}
CLOCKS = ("business", "24x7")
TARGETS = ("first_response", "resolution")

SECTION_DEFAULTS: dict[str, Any] = {
    "timezone": None,
    "business_days": list(DAY_NAMES[:5]),
    "business_hours": "09:00-17:00",
    "holidays": [],
    "clock": "business",
    "sla": {},
    "notify": None,
    "loyal_orders": 3,
    "repurchase_window_days": 90,
}


@dataclass(frozen=True)
class Target:
    """The targets of one priority, in hours counted on ``clock``."""

    first_response_hours: float
    resolution_hours: float
    clock: str = "business"


@dataclass(frozen=True)
class SlaPolicy:
    """Targets per priority and the business calendar they may be counted in."""

    targets: dict[str, Target]
    calendar: Calendar

    def clock(self, priority: str) -> Calendar:
        """The calendar the targets of ``priority`` are counted on."""
        if self.target(priority).clock == "24x7":
            return Calendar.round_the_clock()
        return self.calendar

    def target(self, priority: str) -> Target:
        """The targets of ``priority``."""
        try:
            return self.targets[priority]
        except KeyError:
            raise ConfigError(
                f"no SLA for priority {priority!r}; known: {', '.join(self.targets)}"
            ) from None

    def due(self, priority: str, kind: str, start: datetime) -> datetime:
        """When target ``kind`` (first_response or resolution) falls due, counted from ``start``."""
        target = self.target(priority)
        hours = target.first_response_hours if kind == "first_response" else target.resolution_hours
        return self.clock(priority).add(start, hours * 3600)

    @classmethod
    def default(cls, timezone: str = "UTC") -> SlaPolicy:
        """The default policy: business hours Mon-Fri 09:00-17:00 in ``timezone``."""
        return policy_from_section({**SECTION_DEFAULTS, "timezone": timezone}, timezone)


def cases_settings(settings: Settings) -> dict[str, Any]:
    """The ``[cases]`` section of retain.toml over the defaults."""
    return section(settings, "cases", SECTION_DEFAULTS)


def policy_from_settings(settings: Settings) -> SlaPolicy:
    """The SLA policy configured in retain.toml (see the module docstring)."""
    return policy_from_section(cases_settings(settings), settings.timezone)


def policy_from_section(cfg: dict[str, Any], business_timezone: str = "UTC") -> SlaPolicy:
    """An :class:`SlaPolicy` from a ``[cases]`` section (already merged over the defaults)."""
    calendar = Calendar.business(
        cfg.get("timezone") or business_timezone,
        days=cfg.get("business_days", DAY_NAMES[:5]),
        hours=cfg.get("business_hours", "09:00-17:00"),
        holidays=cfg.get("holidays", ()),
    )
    default_clock = _clock(cfg.get("clock", "business"), "[cases] clock")
    given = cfg.get("sla") or {}
    unknown = sorted(set(given) - set(CASE_PRIORITIES))
    if unknown:
        raise ConfigError(
            f"retain.toml [cases.sla]: unknown priority {', '.join(unknown)}; "
            f"use {', '.join(CASE_PRIORITIES)}"
        )
    targets = {}
    for priority in CASE_PRIORITIES:
        first, resolution = DEFAULT_TARGETS[priority]
        spec = dict(given.get(priority, {}))
        bad = sorted(set(spec) - {"first_response_hours", "resolution_hours", "clock"})
        if bad:
            raise ConfigError(
                f"retain.toml [cases.sla.{priority}]: unknown setting(s) {', '.join(bad)}; "
                "known: clock, first_response_hours, resolution_hours"
            )
        target = Target(
            first_response_hours=float(spec.get("first_response_hours", first)),
            resolution_hours=float(spec.get("resolution_hours", resolution)),
            clock=_clock(spec.get("clock", default_clock), f"[cases.sla.{priority}] clock"),
        )
        if target.first_response_hours <= 0 or target.resolution_hours <= 0:
            raise ConfigError(f"retain.toml [cases.sla.{priority}]: hours must be positive")
        targets[priority] = target
    return SlaPolicy(targets=targets, calendar=calendar)


def _clock(value: str, where: str) -> str:
    if value not in CLOCKS:
        raise ConfigError(f"retain.toml {where}: {value!r} is not one of {', '.join(CLOCKS)}")
    return value
