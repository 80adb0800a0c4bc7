"""The pure rules: priority from value, SLA policies from retain.toml, the public API."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

import retain.service
from retain.config import Settings
from retain.errors import ConfigError
from retain.service import CustomerValue, priority_for
from retain.service.assignment import choose_owner
from retain.service.sla import SlaPolicy, policy_from_settings


def test_public_api_is_pinned():
    assert sorted(retain.service.__all__) == [
        "Calendar",
        "CaseMetrics",
        "CustomerValue",
        "Escalation",
        "Priority",
        "SlaPolicy",
        "Target",
        "assign",
        "case_metrics",
        "check_sla",
        "close",
        "comment",
        "find_cases",
        "get_case",
        "open_case",
        "policy_from_settings",
        "priority_for",
        "reopen",
        "resolve",
        "retention_effect",
        "set_priority",
        "set_status",
    ]
    for name in retain.service.__all__:
        assert getattr(retain.service, name).__doc__


def test_priority_ordering_on_a_hand_made_set():
    customers = {
        "prospect": CustomerValue(),
        "one-off, small": CustomerValue(
            revenue_minor=1500, currency="EUR", orders=1, value_rank=0.2
        ),
        "one-off, big": CustomerValue(
            revenue_minor=90000, currency="EUR", orders=1, value_rank=0.95
        ),
        "loyal, median": CustomerValue(
            revenue_minor=9000, currency="EUR", orders=4, value_rank=0.55
        ),
        "loyal, top, slipping": CustomerValue(
            revenue_minor=150000,
            currency="EUR",
            orders=9,
            value_rank=0.99,
            p_alive=0.4,
            p_alive_before=0.8,
        ),
        "high CLV, lapsed stage": CustomerValue(
            orders=2, value_rank=0.92, clv=1234.5, stage="lapsed"
        ),
    }
    got = {name: priority_for(v) for name, v in customers.items()}
    assert {n: (p.level, p.points) for n, p in got.items()} == {
        "prospect": ("low", -1),
        "one-off, small": ("normal", 0),
        "one-off, big": ("high", 2),
        "loyal, median": ("high", 2),
        "loyal, top, slipping": ("urgent", 4),
        "high CLV, lapsed stage": ("urgent", 3),
    }
    assert got["loyal, top, slipping"].reason == (
        "urgent (+4 points): top 10% by revenue (EUR 1,500.00) (+2); "
        "loyal (9 orders, >= 3) (+1); P(alive) falling 0.80 -> 0.40 (+1)"
    )
    assert "top 10% by CLV (1,234.50)" in got["high CLV, lapsed stage"].reason
    assert got["prospect"].reason == "low (-1 points): no purchase yet (-1)"
    assert priority_for(CustomerValue(orders=2, value_rank=0.1), loyal_orders=2).level == "high"


def test_dedicated_rep_that_is_a_viewer_is_skipped():
    rep = {"id": 9, "username": "vic", "role": "viewer", "is_active": True}
    agents = [
        {"id": 1, "username": "a", "load": 2, "last_case_id": 5},
        {"id": 2, "username": "b", "load": 2, "last_case_id": 3},
        {"id": 3, "username": "c", "load": 3, "last_case_id": None},
    ]
    got = choose_owner(rep, agents)
    assert (got.username, got.reason) == (
        "b",
        "dedicated rep vic is inactive or a viewer; round-robin: fewest open cases (2) "
        "among 3 agents",
    )


def test_sla_policy_from_retain_toml():
    settings = Settings(
        timezone="Europe/Berlin",
        sections={
            "cases": {
                "business_hours": "08:00-16:00",
                "business_days": ["mon", "tue", "wed", "thu", "fri", "sat"],
                "sla": {
                    "urgent": {"first_response_hours": 0.5, "clock": "24x7"},
                    "low": {"resolution_hours": 100},
                },
            }
        },
    )
    policy = policy_from_settings(settings)
    assert policy.calendar.describe() == "Mon,Tue,Wed,Thu,Fri,Sat 08:00-16:00 Europe/Berlin"
    sat = datetime(2025, 3, 8, 14, tzinfo=UTC)  # Saturday 15:00 in Berlin
    assert policy.due("urgent", "first_response", sat) == sat + timedelta(minutes=30)
    # normal: 8 business hours = 1 h on Saturday + 7 h on Monday from 08:00 (07:00 UTC)
    assert policy.due("normal", "first_response", sat) == datetime(2025, 3, 10, 14, tzinfo=UTC)
    assert policy.target("low").resolution_hours == 100
    assert policy.target("low").first_response_hours == 16


@pytest.mark.parametrize(
    ("cases", "message"),
    [
        ({"colour": "red"}, r"unknown setting\(s\) colour"),
        ({"sla": {"critical": {}}}, "unknown priority critical"),
        ({"sla": {"high": {"hours": 3}}}, r"\[cases.sla.high\]: unknown setting"),
        ({"sla": {"high": {"resolution_hours": 0}}}, "must be positive"),
        ({"clock": "sometimes"}, "'sometimes' is not one of business, 24x7"),
        ({"business_hours": "9-5pm"}, "HH:MM-HH:MM"),
    ],
)
def test_bad_settings_say_what_to_fix(cases, message):
    with pytest.raises(ConfigError, match=message):
        policy_from_settings(Settings(sections={"cases": cases}))


def test_default_policy_counts_business_hours():
    policy = SlaPolicy.default("UTC")
    friday_4pm = datetime(2025, 3, 7, 16, tzinfo=UTC)
    assert policy.due("high", "first_response", friday_4pm) == datetime(2025, 3, 10, 12, tzinfo=UTC)
