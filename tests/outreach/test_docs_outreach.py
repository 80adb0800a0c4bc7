"""docs/outreach.md cannot drift: every setting, rule, template field and command is in it."""

from __future__ import annotations

from pathlib import Path

import pytest

import retain.outreach as outreach
from retain.outreach import DEFAULTS, FIELDS, RULES

DOC = (Path(__file__).resolve().parents[2] / "docs" / "outreach.md").read_text(encoding="utf-8")
PER_RULE = {k for k in DEFAULTS if k.startswith("uplift_")}


@pytest.mark.parametrize("key", sorted(set(DEFAULTS) - PER_RULE))
def test_every_setting_is_documented(key):
    assert f"`{key}`" in DOC


@pytest.mark.parametrize("key", sorted(PER_RULE))
def test_every_uplift_is_documented(key):
    assert f"`{key}`" in DOC


@pytest.mark.parametrize("rule", sorted(RULES))
def test_every_rule_is_documented(rule):
    assert f"| `{rule}` |" in DOC


@pytest.mark.parametrize("field", FIELDS)
def test_every_template_field_is_documented(field):
    assert f"`{field}`" in DOC


@pytest.mark.parametrize(
    "command",
    [
        "retain plan",
        "retain actions assign",
        "retain actions done",
        "retain actions snooze",
        "retain campaign create",
        "retain campaign preview",
        "retain campaign send",
        "retain campaign report",
        "retain campaign list",
        "retain campaign bounce",
    ],
)
def test_every_command_is_documented(command):
    assert command in DOC


def test_public_api_is_pinned():
    names = {"plan", "clear", "unsubscribe", "send_due", "campaign_report", "newcombe"}
    assert names <= set(outreach.__all__)
    for name in outreach.__all__:
        assert hasattr(outreach, name), name
