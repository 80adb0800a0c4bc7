"""Fixtures for service tests."""

from __future__ import annotations

import pytest
from casekit import Seed

from retain.service import Calendar, SlaPolicy, Target


@pytest.fixture
def seed(store) -> Seed:
    return Seed(store)


@pytest.fixture
def policy() -> SlaPolicy:
    """Round-the-clock targets (hours): urgent 1/4, high 2/8, normal 4/24, low 8/48."""
    targets = {
        "urgent": Target(1, 4, "24x7"),
        "high": Target(2, 8, "24x7"),
        "normal": Target(4, 24, "24x7"),
        "low": Target(8, 48, "24x7"),
    }
    return SlaPolicy(targets=targets, calendar=Calendar.round_the_clock())
