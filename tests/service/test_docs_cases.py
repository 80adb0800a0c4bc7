"""docs/cases.md cannot drift: every command, metric and setting is documented."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from retain.cli.cases import app
from retain.service.reports import CaseMetrics
from retain.service.sla import SECTION_DEFAULTS

DOC = (Path(__file__).parents[2] / "docs" / "cases.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("command", [c.name for c in app.registered_commands])
def test_command_is_documented(command):
    assert re.search(rf"^\| `{re.escape(command)}` \|", DOC, re.M), command
    assert f"retain cases {command}" in DOC


def test_metrics_are_documented():
    import pandas as pd

    empty = CaseMetrics(
        as_of=pd.Timestamp("2025-01-01", tz="UTC"),
        backlog=pd.DataFrame({"total": []}),
        response_times=pd.DataFrame(
            [
                {"measure": m, "n": 0, "median_hours": None, "p90_hours": None}
                for m in ("first_response", "resolution")
            ]
        ),
        sla=pd.DataFrame(
            [
                {
                    "target": t,
                    "met": 0,
                    "breached": 0,
                    "attainment": None,
                    "lower": None,
                    "upper": None,
                }
                for t in ("first_response", "resolution")
            ]
        ),
        reopen={"rate": None, "lower": None, "upper": None, "resolved": 0},
        retention=pd.DataFrame(
            [
                {
                    "group": g,
                    "window_days": 90,
                    "rate": None,
                    "lower": None,
                    "upper": None,
                    "customers": 0,
                }
                for g in ("resolved", "unresolved", "no_complaint")
            ]
        ),
    )
    for row in empty.rows():
        name = re.sub(r"_90d_", "_<N>d_", row["metric"])
        assert f"`{name}`" in DOC, name


@pytest.mark.parametrize("key", sorted(SECTION_DEFAULTS))
def test_settings_are_documented(key):
    assert re.search(rf"^{key} = ", DOC, re.M) or key == "sla", key
