"""docs/voice.md cannot drift, and the public Python surface is pinned."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import retain.voice
from retain.cli.voice import DEFAULTS, By, surveys_app
from retain.voice import nps
from retain.voice.breakdown import BASELINE_COLUMNS, GROUPINGS, TABLE_COLUMNS
from retain.voice.quiet import SILENT_COLUMNS
from retain.voice.themes import THEME_COLUMNS

DOC = (Path(__file__).parents[2] / "docs" / "voice.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("command", [c.name for c in surveys_app.registered_commands])
def test_surveys_command_is_documented(command):
    assert re.search(rf"^\| `{re.escape(command)}` \|", DOC, re.M), command
    assert f"retain surveys {command}" in DOC


def test_nps_command_and_groupings_are_documented():
    assert re.search(r"^\| `nps` \|", DOC, re.M)
    assert [b.value for b in By] == list(GROUPINGS)
    for by in GROUPINGS:
        assert f"`{by}`" in DOC, by


@pytest.mark.parametrize("field", TABLE_COLUMNS + BASELINE_COLUMNS + THEME_COLUMNS)
def test_fields_are_documented(field):
    assert f"`{field}`" in DOC, field


def test_silent_fields_and_settings_are_documented():
    for field in SILENT_COLUMNS:
        assert field in DOC, field
    for key in DEFAULTS:
        assert re.search(rf"^\| `{key}` \| ", DOC, re.M), key
    assert "RETAIN_SECRET_KEY" in DOC


def test_nps_json_fields_are_the_result_fields():
    assert set(TABLE_COLUMNS) - {"group"} <= set(nps([9]).to_dict())


def test_documented_python_example_is_right():
    r = nps([10, 9, 9, 8, 3])
    shown = re.search(r"# 40.0, ([\d.]+), (-?[\d.]+), ([\d.]+)", DOC)
    assert shown is not None
    assert [round(r.margin_of_error, 1), round(r.score_low, 1), round(r.score_high, 1)] == [
        float(x) for x in shown.groups()
    ]


PUBLIC = [
    "GROUPINGS",
    "CSATResult",
    "Invitation",
    "InvitationContext",
    "NPSComparison",
    "NPSResult",
    "RateLimiter",
    "Scope",
    "SurveyInfo",
    "SurveyLinkError",
    "close_loop",
    "compare",
    "create_survey",
    "csat",
    "csat_table",
    "export_invitations",
    "find_themes",
    "flag_low_effort",
    "follow_up_source",
    "get_survey",
    "grouped_scores",
    "invitation_link",
    "invitation_link_token",
    "invitation_table",
    "invite",
    "is_low_effort",
    "load_answers",
    "low_effort_answers",
    "mark_invitations_sent",
    "nps",
    "nps_table",
    "open_link",
    "period_bounds",
    "promoter_report",
    "required_sample",
    "response_rates",
    "review_candidates",
    "score_report",
    "silent_customers",
    "silent_report",
    "submit_open_response",
    "submit_response",
    "theme_report",
    "to_nps_scale",
    "trend_chart",
    "verify_open_key",
    "verify_token",
]


def test_public_api_is_pinned():
    assert sorted(retain.voice.__all__) == sorted(PUBLIC)
    for name in PUBLIC:
        assert getattr(retain.voice, name).__doc__, name


def test_the_web_interface_signatures():
    import inspect

    sig = inspect.signature(retain.voice.submit_response)
    assert list(sig.parameters)[:2] == ["store", "token"]
    kw = {"score", "comment", "category_scores", "follow_up_answer", "secret", "now"}
    assert kw <= {n for n, p in sig.parameters.items() if p.kind is p.KEYWORD_ONLY}
    sig = inspect.signature(retain.voice.invite)
    assert {"now", "expires_in_days", "recontact_days", "sample", "seed", "secret"} <= set(
        sig.parameters
    )
    assert sig.parameters["expires_in_days"].default == 30
    assert sig.parameters["recontact_days"].default == 90
    assert list(inspect.signature(retain.voice.verify_token).parameters)[:2] == ["store", "token"]
    assert "survey_key" in inspect.signature(retain.voice.submit_open_response).parameters
